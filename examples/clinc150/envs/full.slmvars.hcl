# make train-clinc150: all 150 intents and the out-of-scope examples of
# CLINC150 (scripts/datasets/clinc150_jsonl.py writes them as one JSONL file,
# each row with its official split), split as the dataset is: 15,100 train,
# 3,100 validation, 5,500 test rows (100, 100 and 1,000 out of scope).
split_field  = "split"
dataset_name = "clinc150"
epochs       = 5
min_rows     = 20000
# The gate's accuracy counts the 1,000 out-of-scope test rows (18% of the
# official test split), which the threshold catches about 60% of: 0.85 is the
# bar for the whole split; in-scope accuracy alone is about 0.95.
min_accuracy = 0.85
# The figure to compare with make train-clinc150's history is fp32 on the test
# split; the int8 bundle is evaluated after the run (Makefile).
evaluate_variant = "fp32"
