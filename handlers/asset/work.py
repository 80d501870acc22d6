"""How long a model takes to process, from what it declares (triangles, texture pixels), so
uploads are routed to AWS Batch by the work they need instead of by their file size: a 3 MB
GLB may hold 32 textures of 8192 x 8192 pixels (a compressed image is small, a decoded one is
not), and those took about 265 s to encode beside the Lambda's 300 s timeout."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from handlers.asset.config import PipelineConfig
from handlers.asset.mesh_import import check_declared
from handlers.asset.pipeline import GLTF_FORMATS, file_type_of

# Measured rates on one Lambda-sized core (the figures quoted in the module docstring and in
# the asset notes: 32 textures of 8192 x 8192 in ~265 s, three LODs each; 4.3M triangles
# end to end in ~10-11 s).
SECONDS_PER_TEXTURE_PIXEL = 265.0 / (32 * 8192 * 8192)
SECONDS_PER_TRIANGLE = 11.0 / 4_300_000


@dataclass(frozen=True)
class Work:
    triangles: int
    texture_pixels: int

    @property
    def seconds(self) -> float:
        """The expected processing time at the measured rates."""
        return (
            self.triangles * SECONDS_PER_TRIANGLE + self.texture_pixels * SECONDS_PER_TEXTURE_PIXEL
        )

    def describe(self) -> str:
        return (
            f"{self.triangles} triangles and {self.texture_pixels} texture pixels "
            f"(about {self.seconds:.0f} s of work)"
        )


def estimate_work(
    path: Path, file_name: str, config: PipelineConfig, base_dir: Path | None = None
) -> Work:
    """The declared work of the model in `path`: headers only, nothing is decoded."""
    from handlers.asset.gltf_import import declared_work

    file_type = file_type_of(file_name)
    data = path.read_bytes()
    if file_type in GLTF_FORMATS:
        triangles, pixels = declared_work(data, config.limits, base_dir, binary=file_type == "glb")
        return Work(triangles, pixels)
    return Work(check_declared(data, file_type, config.limits), 0)
