"""The demo's fast weighted pick draws exactly what random.choices draws, so the demo data stay the same."""

import random

from fuhua.registry.demo.context import Weighted


def test_weighted_pick_matches_random_choices_draw_for_draw():
    cases = [(["graduated", "exited", "expired"], [50, 35, 15]), (["micro", "small", "medium", "large"],
                                                                   [75, 22, 3, 0]),
             ([1, 2, 3, 5], [40, 30, 20, 10]), (["a", "b"], [0.25, 0.75])]
    for population, weights in cases:
        fast, reference, picker = random.Random("demo"), random.Random("demo"), Weighted(population, weights)
        picks = [picker.pick(fast) for _ in range(5000)]
        assert picks == [reference.choices(population, weights)[0] for _ in range(5000)]
        assert fast.random() == reference.random()  # the same number of draws consumed
        assert set(picks) == {p for p, w in zip(population, weights, strict=True) if w}
