"""SageMaker entry point (sagemaker_program=train.py); the same as `python -m slm_train`."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from slm_train.cli import main

if __name__ == "__main__":
    sys.exit(main())
