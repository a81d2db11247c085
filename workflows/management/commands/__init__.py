"""The workflows app's commands: one module each."""
