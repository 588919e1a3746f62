# make train-smoke: the 10-intent slice committed under testdata/clinc150/
# (1,650 rows), one short epoch, the fp32 bundle evaluated. Seconds, not
# minutes: it runs in make test.
dataset_name     = "clinc150-intent10"
epochs           = 1
learning_rate    = 1e-3
max_seq_length   = 32
evaluate_variant = "fp32"
min_accuracy     = 0.85
