# Bucket prof on the moto of first-look.sh: big.bin (256 MiB) twice, a second apart; prints a time between.
import boto3, os, time
s3 = boto3.client('s3', endpoint_url='http://127.0.0.1:45999', aws_access_key_id='test', aws_secret_access_key='test', region_name='us-east-1')
s3.create_bucket(Bucket='prof')
s3.put_bucket_versioning(Bucket='prof', VersioningConfiguration={'Status': 'Enabled'})
body = os.urandom(256 << 20)
s3.put_object(Bucket='prof', Key='big.bin', Body=body)
time.sleep(1.1 - time.time() % 1)
at = int(time.time())
time.sleep(1.1)
s3.put_object(Bucket='prof', Key='big.bin', Body=os.urandom(256 << 20))
print(time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(at)))
