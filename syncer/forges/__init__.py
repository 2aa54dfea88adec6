"""Forge adapters (loaded when used) and the built-in forge emulator."""
