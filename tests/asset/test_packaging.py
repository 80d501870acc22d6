"""The asset Lambda is packaged from the `asset` dependency group alone: importing the
handler and loading every mesh format must not need scipy (trimesh's optional dependency,
absent from that group) nor Pulumi."""

from __future__ import annotations

import struct
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

PROBE = textwrap.dedent(
    """
    import importlib.abc, os, sys

    class Block(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in ("scipy", "pulumi", "pulumi_aws"):
                raise ImportError(f"{name} is not in the asset group")
            return None

    sys.meta_path.insert(0, Block())
    from handlers.shared import env
    for name in (env.CATALOG_TABLE, env.IDEMPOTENCY_TABLE, env.ASSETS_BUCKET):
        os.environ[name] = "unused"
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    import handlers.asset.handler  # noqa: F401
    from handlers.asset.config import PipelineConfig
    from handlers.asset.pipeline import process_file
    from pathlib import Path
    for name in sys.argv[1:]:
        result = process_file(Path(name), "sku", PipelineConfig())
        print(os.path.basename(name), result.manifest["source"]["triangles"])
    print("scipy loaded:", any(m.split(".")[0] == "scipy" for m in sys.modules))
    """
)


def tiny_models(folder: Path) -> list[str]:
    """A two-triangle square in each mesh format (the real models run in other tests)."""
    obj = folder / "tri.obj"
    obj.write_text(
        "v 0 0 0\nv 1 0 0\nv 0 1 0\nv 1 1 0\nvt 0 0\nvt 1 0\nvt 0 1\nvt 1 1\n"
        "f 1/1 2/2 3/3\nf 2/2 4/4 3/3\n"
    )
    ply = folder / "tri.ply"
    ply.write_text(
        "ply\nformat ascii 1.0\nelement vertex 4\nproperty float x\n"
        "property float y\nproperty float z\nelement face 2\n"
        "property list uchar int vertex_indices\nend_header\n"
        "0 0 0\n1 0 0\n0 1 0\n1 1 0\n3 0 1 2\n3 1 3 2\n"
    )
    corners = [(0, 0, 0), (1, 0, 0), (0, 1, 0), (1, 0, 0), (1, 1, 0), (0, 1, 0)]
    stl = bytearray(80) + struct.pack("<I", 2)
    for tri in (corners[:3], corners[3:]):
        stl += struct.pack("<12fH", 0, 0, 1, *[c for v in tri for c in v], 0)
    (folder / "tri.stl").write_bytes(bytes(stl))
    return [str(obj), str(ply), str(folder / "tri.stl")]


def test_handler_and_mesh_formats_work_without_scipy(tmp_path):
    inputs = tiny_models(tmp_path)
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *inputs],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    for name in ("tri.obj 2", "tri.ply 2", "tri.stl 2"):
        assert name in done.stdout
    assert "scipy loaded: False" in done.stdout
