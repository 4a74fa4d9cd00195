import boto3

s3 = boto3.client(
    "s3",
    region_name="eu-west-1",
    aws_access_key_id="AKIAQ7R3JX5LZ2N4PW6K",
    aws_secret_access_key="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",
)


def upload(key, data):
    s3.put_object(Bucket="invoices-prod", Key=key, Body=data)
