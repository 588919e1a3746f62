# make train-clinc150: all 150 intents and the out-of-scope examples of
# CLINC150 (scripts/datasets/clinc150_jsonl.py writes them as one JSONL file).
dataset_name = "clinc150"
epochs       = 5
min_rows     = 20000
min_accuracy = 0.9
