# make train-clinc150: all 150 intents and the out-of-scope examples of
# CLINC150 (scripts/datasets/clinc150_jsonl.py writes them as one JSONL file).
dataset_name = "clinc150"
epochs       = 5
min_rows     = 20000
min_accuracy = 0.9
# The figure to compare with make train-clinc150's history is fp32 on the test
# split; the int8 bundle is evaluated after the run (Makefile).
evaluate_variant = "fp32"
