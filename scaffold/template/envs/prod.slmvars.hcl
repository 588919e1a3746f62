# The prod environment. Replace the account id with your prod account's.
env           = "prod"
account_id    = "333333333333"
bucket_suffix = "[[.BucketSuffix]]"
use_spot      = false
min_accuracy  = 0.9
alert_emails  = ["ml-oncall@example.com"]
