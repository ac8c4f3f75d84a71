"""Plain aiokafka clients for the commands: topic admin, `replay`, `tail`."""
