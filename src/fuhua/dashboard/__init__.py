"""The dashboard (layer 4, cross-app): counts within the user's scope and the to-do inbox that apps register."""
