# README, "A new dataset": the same recipe on another dataset. Only the
# dataset's name (its raw location, checkpoints and model package group)
# and what suits its size change; scripts/datasets/make_smarthome.py writes
# the data (eight smart-home intents and out-of-scope requests).
dataset_name   = "smarthome"
epochs         = 1
max_seq_length = 32
min_accuracy   = 0.9
