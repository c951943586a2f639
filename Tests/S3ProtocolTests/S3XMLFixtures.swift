// S3XMLFixtures: response bodies shaped as the S3 API reference documents them (namespaces included).

enum S3XMLFixtures {
    static let listTruncated = """
        <?xml version="1.0" encoding="UTF-8"?>
        <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
          <Name>lifeboat-test</Name>
          <Prefix>backups/</Prefix>
          <KeyCount>2</KeyCount>
          <MaxKeys>2</MaxKeys>
          <IsTruncated>true</IsTruncated>
          <ContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</ContinuationToken>
          <NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwN=</NextContinuationToken>
          <Contents>
            <Key>backups/2009-10-12/base.tar.zst</Key>
            <LastModified>2009-10-12T17:50:30.000Z</LastModified>
            <ETag>&quot;fba9dede5f27731c9771645a39863328&quot;</ETag>
            <Size>434234</Size>
            <StorageClass>STANDARD</StorageClass>
          </Contents>
          <Contents>
            <Key>backups/2009-10-12/old &amp; cold &lt;1&gt;.tar</Key>
            <LastModified>2010-11-10T20:48:33.000Z</LastModified>
            <ETag>"599bab3ed2c697f1d26842727561fd94-3"</ETag>
            <Size>5368709120000</Size>
            <Owner><ID>75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a</ID></Owner>
            <StorageClass>GLACIER</StorageClass>
          </Contents>
        </ListBucketResult>
        """

    static let listLastPage = """
        <?xml version="1.0" encoding="UTF-8"?>
        <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>lifeboat-test</Name>\
        <Prefix>backups/</Prefix><KeyCount>1</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>\
        <Contents><Key> leading and trailing space </Key><LastModified>2024-05-01T10:00:00Z</LastModified>\
        <Size>0</Size></Contents></ListBucketResult>
        """

    static let listEmpty = """
        <?xml version="1.0" encoding="UTF-8"?>
        <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>lifeboat-test</Name><Prefix>none/</Prefix>\
        <KeyCount>0</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated></ListBucketResult>
        """

    static let listURLEncoded = """
        <?xml version="1.0" encoding="UTF-8"?>
        <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>lifeboat-test</Name>\
        <Prefix>a%2F</Prefix><KeyCount>1</KeyCount><MaxKeys>1000</MaxKeys><EncodingType>url</EncodingType>\
        <IsTruncated>false</IsTruncated><Contents><Key>a/b+c%2Bd%C3%BC%0D</Key>\
        <LastModified>2024-05-01T10:00:00.000Z</LastModified><ETag>"x"</ETag><Size>7</Size>\
        <StorageClass>DEEP_ARCHIVE</StorageClass></Contents></ListBucketResult>
        """

    static let listPrefixedNamespace = """
        <?xml version="1.0" encoding="UTF-8"?>
        <s3:ListBucketResult xmlns:s3="http://s3.amazonaws.com/doc/2006-03-01/"><s3:IsTruncated>false</s3:IsTruncated>\
        <s3:Contents><s3:Key>k</s3:Key><s3:LastModified>2024-05-01T10:00:00.000Z</s3:LastModified>\
        <s3:Size>1</s3:Size></s3:Contents></s3:ListBucketResult>
        """

    static let initiate = """
        <?xml version="1.0" encoding="UTF-8"?>
        <InitiateMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
          <Bucket>example-bucket</Bucket>
          <Key>example-object</Key>
          <UploadId>VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA</UploadId>
        </InitiateMultipartUploadResult>
        """

    static let completeOK = """
        <?xml version="1.0" encoding="UTF-8"?>
        <CompleteMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
          <Location>http://Example-Bucket.s3.amazonaws.com/Example-Object</Location>
          <Bucket>Example-Bucket</Bucket>
          <Key>Example-Object</Key>
          <ETag>"3858f62230ac3c915f300c664312c11f-9"</ETag>
        </CompleteMultipartUploadResult>
        """

    /// AWS keeps the connection alive with whitespace, then reports the failure with status 200.
    static let completeWithError =
        "   \n  \n" + """
            <?xml version="1.0" encoding="UTF-8"?>
            <Error>
              <Code>InternalError</Code>
              <Message>We encountered an internal error. Please try again.</Message>
              <RequestId>656c76696e6727732072657175657374</RequestId>
              <HostId>Uuag1LuByRx9e6j5Onimru9pO4ZVKnJ2Qz7/C1NPcfTWAtRPfTaOFg==</HostId>
            </Error>
            """

    static let listUploads = """
        <?xml version="1.0" encoding="UTF-8"?>
        <ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
          <Bucket>bucket</Bucket>
          <KeyMarker></KeyMarker>
          <UploadIdMarker></UploadIdMarker>
          <NextKeyMarker>my-movie.m2ts</NextKeyMarker>
          <NextUploadIdMarker>YW55IGlkZWEgd2h5IGVsdmluZydzIHVwbG9hZCBmYWlsZWQ</NextUploadIdMarker>
          <MaxUploads>3</MaxUploads>
          <IsTruncated>true</IsTruncated>
          <Upload>
            <Key>my-divisor</Key>
            <UploadId>XMgbGlrZSBlbHZpbmcncyBub3QgaGF2aW5nIG11Y2ggbHVjaw</UploadId>
            <Initiator>
              <ID>arn:aws:iam::111122223333:user/user1-11111a31-17b5-4fb7-9df5-b111111f13de</ID>
              <DisplayName>user1-11111a31-17b5-4fb7-9df5-b111111f13de</DisplayName>
            </Initiator>
            <Owner>
              <ID>75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a</ID>
              <DisplayName>OwnerDisplayName</DisplayName>
            </Owner>
            <StorageClass>STANDARD</StorageClass>
            <Initiated>2010-11-10T20:48:33.000Z</Initiated>
          </Upload>
          <Upload>
            <Key>my-movie.m2ts</Key>
            <UploadId>VXBsb2FkIElEIGZvciBlbHZpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA</UploadId>
            <StorageClass>STANDARD</StorageClass>
            <Initiated>2010-11-10T20:48:33.000Z</Initiated>
          </Upload>
          <Upload>
            <Key>no-date</Key>
            <UploadId>b4kUpbG9hZA</UploadId>
          </Upload>
        </ListMultipartUploadsResult>
        """

    static let listUploadsEmpty = """
        <?xml version="1.0" encoding="UTF-8"?>
        <ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Bucket>b</Bucket>\
        <KeyMarker/><UploadIdMarker/><NextKeyMarker/><NextUploadIdMarker/><MaxUploads>1000</MaxUploads>\
        <IsTruncated>false</IsTruncated></ListMultipartUploadsResult>
        """

    static let noSuchKey = """
        <?xml version="1.0" encoding="UTF-8"?>
        <Error>
          <Code>NoSuchKey</Code>
          <Message>The resource you requested does not exist</Message>
          <Resource>/mybucket/myfoto.jpg</Resource>
          <RequestId>4442587FB7D0A2F9</RequestId>
        </Error>
        """

    static let wrongRegion = """
        <?xml version="1.0" encoding="UTF-8"?>
        <Error><Code>AuthorizationHeaderMalformed</Code><Message>The authorization header is malformed; \
        the region 'us-east-1' is wrong; expecting 'eu-west-1'</Message><Region>eu-west-1</Region>\
        <RequestId>F1E2D3C4B5A69788</RequestId><HostId>aGVsbG8=</HostId></Error>
        """

    static let permanentRedirect = """
        <?xml version="1.0" encoding="UTF-8"?>
        <Error><Code>PermanentRedirect</Code><Message>The bucket you are attempting to access must be addressed \
        using the specified endpoint. Please send all future requests to this endpoint.</Message>\
        <Endpoint>lifeboat-test.s3.eu-west-1.amazonaws.com</Endpoint><Bucket>lifeboat-test</Bucket>\
        <RequestId>0A1B2C3D4E5F6789</RequestId></Error>
        """

    static let archived = """
        <?xml version="1.0" encoding="UTF-8"?>
        <Error><Code>InvalidObjectState</Code><Message>The operation is not valid for the object's storage class\
        </Message><StorageClass>GLACIER</StorageClass><RequestId>9A8B7C6D5E4F3A2B</RequestId></Error>
        """

    /// Ceph RGW leaves out the message.
    static let rgwNoSuchBucket = """
        <?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchBucket</Code><BucketName>lifeboat-test</BucketName>\
        <RequestId>tx00000b5e8d3c6a1f1e2d3-0066321a2b-1234-default</RequestId><HostId>1234-default</HostId></Error>
        """

    static let versioningEnabled = """
        <?xml version="1.0" encoding="UTF-8"?>
        <VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status>Enabled</Status>\
        </VersioningConfiguration>
        """

    static let versioningSuspended = """
        <VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
          <Status>Suspended</Status>
          <MfaDelete>Disabled</MfaDelete>
        </VersioningConfiguration>
        """

    static let versioningNever = """
        <?xml version="1.0" encoding="UTF-8"?>
        <VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"/>
        """

    static let lockGovernanceDays = """
        <?xml version="1.0" encoding="UTF-8"?>
        <ObjectLockConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
          <ObjectLockEnabled>Enabled</ObjectLockEnabled>
          <Rule><DefaultRetention><Mode>GOVERNANCE</Mode><Days>30</Days></DefaultRetention></Rule>
        </ObjectLockConfiguration>
        """

    static let lockComplianceYears = """
        <ObjectLockConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><ObjectLockEnabled>Enabled\
        </ObjectLockEnabled><Rule><DefaultRetention><Mode>COMPLIANCE</Mode><Years>7</Years></DefaultRetention>\
        </Rule></ObjectLockConfiguration>
        """

    static let lockEnabledNoRule = """
        <ObjectLockConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><ObjectLockEnabled>Enabled\
        </ObjectLockEnabled></ObjectLockConfiguration>
        """

    static let htmlPage = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
}
