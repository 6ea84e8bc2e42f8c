"""The platform-neutral core of Introbot: rules, use cases and neutral messages."""
