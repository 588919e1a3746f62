"""slm's training step: LoRA/QLoRA fine-tuning of a sequence classifier into a model bundle.

See README.md beside this package and SPEC.md sections 2.2 and 3.
"""
