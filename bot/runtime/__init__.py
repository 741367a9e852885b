"""The running bot's process-level pieces: cross-process coordination."""
