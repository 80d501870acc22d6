"""The first-LOD decision: the CloudFront Function (run by node, as the edge runs JavaScript)
and the renderer's Python copy give the same answer on every row of one table of hints.

Hint headers: Save-Data (https://wicg.github.io/savedata/), ECT
(https://wicg.github.io/netinfo/#ect-request-header-field), Device-Memory
(https://www.w3.org/TR/device-memory/), DPR / Sec-CH-DPR (client hints). CloudFront Functions
hand headers with lower-case names as {"value": ...} (the cloudfront-js-2.0 event structure).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from handlers.pages.hints import CHOICES, chosen_lod, first_lod
from handlers.shared.routes import FIRST_LOD_HEADER

FUNCTION = Path(__file__).parents[2] / "components" / "edge" / "first_lod.js"
TABLE: list[tuple[dict[str, str], str]] = [
    ({}, "preview-512"),
    ({"save-data": "on"}, "preview-256"),
    ({"save-data": "on", "ect": "4g", "device-memory": "8", "dpr": "3"}, "preview-256"),
    ({"ect": "slow-2g"}, "preview-256"),
    ({"ect": "3g", "device-memory": "8"}, "preview-256"),
    ({"device-memory": "0.5"}, "preview-256"),
    ({"device-memory": "1", "ect": "4g"}, "preview-256"),
    ({"ect": "4g", "downlink": "10", "device-memory": "4", "dpr": "2"}, "standard-1024"),
    (
        {"ect": "4G", "downlink": "5", "sec-ch-device-memory": "8", "sec-ch-dpr": "2.625"},
        "standard-1024",
    ),
    # Slow 4G (1.6 Mbps, 150 ms) reports ECT 4g: only the downlink tells it from a fast line.
    ({"ect": "4g", "downlink": "1.6", "device-memory": "4", "dpr": "2"}, "preview-512"),
    ({"ect": "4g", "device-memory": "4", "dpr": "2"}, "preview-512"),  # downlink unknown
    ({"ect": "4g", "downlink": "10", "device-memory": "4", "dpr": "1"}, "preview-512"),
    ({"ect": "4g", "downlink": "10", "device-memory": "2", "dpr": "3"}, "preview-512"),
    ({"ect": "4g", "downlink": "7.5x", "device-memory": "8abc", "dpr": "2x"}, "standard-1024"),
    ({"ect": "4g", "downlink": "10", "device-memory": "lots", "dpr": "2"}, "preview-512"),
    ({"save-data": "off", "ect": "wifi"}, "preview-512"),
]


def run_edge(rows: list[dict[str, str]]) -> list[str]:
    node = shutil.which("node")
    assert node is not None, "node is needed to run the CloudFront Function"
    events = [{"request": {"headers": {k: {"value": v} for k, v in r.items()}}} for r in rows]
    script = (
        FUNCTION.read_text()
        + "\nconst events = JSON.parse(process.argv[1]);"
        + f"\nconsole.log(JSON.stringify(events.map((e) => handler(e).headers['{FIRST_LOD_HEADER}'].value)));"
    )
    done = subprocess.run(
        [node, "-e", script, json.dumps(events)], capture_output=True, text=True, check=True
    )
    return list(json.loads(done.stdout))


def test_the_edge_function_decides_as_the_table_says() -> None:
    assert run_edge([row for row, _ in TABLE]) == [want for _, want in TABLE]


@pytest.mark.parametrize(("headers", "want"), TABLE)
def test_the_python_decision_agrees_with_the_table(headers: dict[str, str], want: str) -> None:
    assert first_lod(headers) == want
    assert want in CHOICES


def test_the_edges_choice_wins_over_the_local_decision_and_a_forged_one_does_not() -> None:
    assert chosen_lod({FIRST_LOD_HEADER: "standard-1024", "save-data": "on"}) == "standard-1024"
    assert chosen_lod({FIRST_LOD_HEADER: "<huge>", "save-data": "on"}) == "preview-256"
