"""The Textual onboarding wizard."""
