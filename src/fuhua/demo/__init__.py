"""Demo orchestration (layer 4): runs the demo steps that apps register (core.demo), in order, with a
progress bar per step and timings; then the demo accounts, one per role, each landing on real work."""
