# The dev environment. Replace the account id with your dev account's.
env           = "dev"
account_id    = "111111111111"
bucket_suffix = "[[.BucketSuffix]]"
use_spot      = true
min_accuracy  = 0.85
