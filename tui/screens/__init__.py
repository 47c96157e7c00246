"""One module per wizard step; each step screen returns typed answers (its ``collect()``)."""
