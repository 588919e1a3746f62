# The staging environment. Replace the account id with your staging account's.
env           = "staging"
account_id    = "222222222222"
bucket_suffix = "[[.BucketSuffix]]"
use_spot      = true
min_accuracy  = 0.9
