"""`python -m slm_train`: the training step (same flags as train.py)."""

import sys

from .cli import main

sys.exit(main())
