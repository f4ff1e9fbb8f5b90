package dynamodb

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// staticCredentials is a fixed access key, as the SDK's
// credentials.StaticCredentialsProvider. The package keeps its own so that
// importing it does not pull the SDK's credentials module, and with it the
// SSO, STS and EC2 metadata clients, into every user's module graph.
type staticCredentials struct{ value aws.Credentials }

// staticCredentialsName is the Source the SDK's static provider reports.
const staticCredentialsName = "StaticCredentials"

func newStaticCredentials(accessKeyID, secretAccessKey string) staticCredentials {
	return staticCredentials{value: aws.Credentials{
		AccessKeyID:     accessKeyID,
		SecretAccessKey: secretAccessKey,
		Source:          staticCredentialsName,
	}}
}

// Retrieve returns the key; it never expires.
func (s staticCredentials) Retrieve(context.Context) (aws.Credentials, error) {
	return s.value, nil
}

// ProviderSources tells the SDK's user agent that the credentials were set
// in code, as the SDK's static provider does.
func (s staticCredentials) ProviderSources() []aws.CredentialSource {
	return []aws.CredentialSource{aws.CredentialSourceCode}
}
