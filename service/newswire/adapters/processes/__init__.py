"""Process pools that run the CPU stages (cleaning, NLP) off the event loop, with a time
budget per article."""
