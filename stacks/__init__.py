"""The staged Pulumi programs of the landing zone (see STAGES)."""
