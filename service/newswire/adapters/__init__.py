"""Adapters: the Faust worker (stream/), the CPU process pools (processes/), and file
inputs. Thin: read, call the core, send."""
