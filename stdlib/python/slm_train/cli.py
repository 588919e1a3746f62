"""Command line of the training step: flags in, exit status out."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from .checkpoint import CheckpointError
from .config import ConfigError, parse
from .data import DataError
from .model import QLoRAUnavailable

EXIT_USAGE = 2  # bad flags, or a method this machine cannot run
EXIT_FAILED = 1  # bad data, an unusable checkpoint, a failed export


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        cfg = parse(argv, os.environ)
    except ConfigError as e:
        print(f"slm_train: error: {e}", file=sys.stderr)
        return EXIT_USAGE
    from .run import run  # torch and transformers load only once the flags are good

    try:
        result = run(cfg)
    except QLoRAUnavailable as e:
        print(f"slm_train: error: {e}", file=sys.stderr)
        return EXIT_USAGE
    except (DataError, CheckpointError) as e:
        print(f"slm_train: error: {e}", file=sys.stderr)
        return EXIT_FAILED
    except (OSError, ValueError) as e:  # e.g. a model folder that is missing or not a model
        print(f"slm_train: error: {type(e).__name__}: {e}", file=sys.stderr)
        return EXIT_FAILED
    if result is None:
        return 0
    print(f"slm_train: wrote {cfg.paths.model_dir}/bundle", file=sys.stderr)
    return 0
