"""landingzone: a secure multi-account AWS landing zone built with the Pulumi Automation API."""

__version__ = "0.1.0"
