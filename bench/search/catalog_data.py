"""A generated catalog for the search bench: deterministic (seeded), shaped like a real shop's
(20 categories, names of adjective + material + noun, descriptions that name their own noun
among 12-20 common words), with a few fixed products the relevance queries look for."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Final

CATEGORIES: Final = (
    "lighting", "seating", "tables", "storage", "beds", "rugs", "decor", "kitchen", "garden",
    "office", "helmets", "bikes", "audio", "cameras", "watches", "bags", "shoes", "jackets",
    "toys", "tools",
)  # fmt: skip
ADJECTIVES: Final = (
    "modern", "vintage", "compact", "classic", "rustic", "minimal", "folding", "portable",
    "industrial", "nordic", "curved", "round", "square", "tall", "low", "slim", "heavy",
    "light", "soft", "bold", "matte", "glossy", "brushed", "woven", "carved", "padded",
    "stackable", "modular", "wireless", "smart",
)  # fmt: skip
MATERIALS: Final = (
    "oak", "walnut", "teak", "pine", "bamboo", "steel", "brass", "copper", "aluminium",
    "glass", "marble", "concrete", "leather", "linen", "wool", "cotton", "velvet", "rattan",
    "ceramic", "carbon",
)  # fmt: skip
NOUNS: Final = (
    "chair", "table", "lamp", "sofa", "stool", "bench", "shelf", "cabinet", "desk", "bed",
    "rug", "vase", "mirror", "clock", "bowl", "mug", "kettle", "planter", "helmet", "bike",
    "speaker", "headphones", "camera", "watch", "backpack", "sneaker", "boot", "jacket",
    "drone", "hammer", "sideboard", "dresser", "wardrobe", "pendant", "sconce", "ottoman",
    "armchair", "cushion", "throw", "basket",
)  # fmt: skip
FILLER: Final = (
    "hand", "made", "finish", "design", "studio", "crafted", "sturdy", "durable", "easy",
    "clean", "assembly", "warranty", "fits", "every", "room", "home", "space", "weekend",
    "gift", "detail", "texture", "tone", "natural", "shape", "premium", "quality", "daily",
    "use", "outdoor", "indoor", "frame", "base", "top", "edge", "colour", "warm", "cool",
)  # fmt: skip
# Found by the relevance queries (bench/search/bench_search.py); sku, name, category.
FIXED: Final = (
    ("FIX-BIKE-HELMET", "Bike helmet", "helmets"),
    ("FIX-HELMET-MOUNT", "Bike helmet mount", "bikes"),
    ("FIX-OAK-TABLE", "Oak dining table", "tables"),
)
EPOCH: Final = datetime(2025, 1, 1, tzinfo=UTC)


def products(count: int, seed: int = 17) -> Iterator[tuple[object, ...]]:
    """(sku, name, description, category, price_minor, created_at) rows."""
    rng = random.Random(seed)
    for sku, name, category in FIXED:
        yield sku, name, f"{name} for the bench's relevance queries", category, 4999, EPOCH
    for n in range(count - len(FIXED)):
        noun = rng.choice(NOUNS)
        name = f"{rng.choice(ADJECTIVES)} {rng.choice(MATERIALS)} {noun}".capitalize()
        # A description speaks of its own product, in words shared by the whole catalog.
        words = [noun, *rng.choices(FILLER, k=rng.randint(12, 20))]
        price = int(rng.lognormvariate(8.5, 1.0))  # median about 50.00, a long tail
        created = EPOCH + timedelta(minutes=rng.randint(0, 500_000))
        yield f"GEN-{n:06d}", name, " ".join(words), rng.choice(CATEGORIES), price, created
