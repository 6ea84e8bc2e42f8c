"""Introbot on Discord: app commands, buttons and modals over discord.py; DMs for reminders."""
