"""Demo orchestration (layer 4): runs the demo steps that apps register, in order, with progress and timings."""
