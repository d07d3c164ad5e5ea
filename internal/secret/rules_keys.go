package secret

import "github.com/bulwark-dev/bulwark/internal/rule"

// keyRules are private keys and cloud-provider credentials: the secrets that
// give the widest access, so they come first.
func keyRules() []Rule {
	// q matches a JSON quote that may itself be escaped, as when a service
	// account key is pasted into a JSON or YAML string.
	const q = `\\?"`
	const saKey = `(?P<secret>-----BEGIN[A-Z ]{0,20}PRIVATE KEY-----[^"]{64,}?-----END[A-Z ]{0,20}PRIVATE KEY-----(?:\\\\?n)?)`
	return []Rule{{
		Meta: meta("BW-SE-101", "gcp-service-account-key", "Google Cloud service account key", rule.Critical,
			"A service account key file (JSON with \"type\": \"service_account\" and a private_key) "+
				"authenticates as that account from anywhere, for as long as the key exists; keys do not expire by default.",
			rotate("the key", "gcloud iam service-accounts keys delete")+
				" Prefer Workload Identity, which needs no key at all.",
			"https://cloud.google.com/iam/docs/best-practices-for-managing-service-account-keys"),
		Keywords: []string{"service_account"},
		Pattern: q + `type` + q + `\s*:\s*` + q + `service_account` + q + `[^{}]*?` + q + `private_key` + q + `\s*:\s*` + q + saKey +
			`|` + q + `private_key` + q + `\s*:\s*` + q + saKey + `[^{}]*?` + q + `type` + q + `\s*:\s*` + q + `service_account`,
		Window:     Window{Before: 4096, After: 4096, Multiline: true},
		MinEntropy: 3.5,
	}, {
		Meta: meta("BW-SE-102", "private-key", "Private key", rule.Critical,
			"A PEM private key (RSA, EC, DSA, OpenSSH, PKCS#8, encrypted PKCS#8 or PGP) lets whoever "+
				"reads the repository impersonate the server, user or signer it belongs to. Encrypted keys fall to offline guessing of weak passphrases.",
			rotate("the key pair", "replace it wherever its public half is trusted")+
				" For TLS, let cert-manager issue keys inside the cluster.",
			"https://datatracker.ietf.org/doc/html/rfc7468"),
		Keywords: []string{"private key-----", "private key block-----"},
		Pattern: `(?P<secret>-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----[\s\S]{64,}?` +
			`-----END[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----)`,
		Window:     Window{Before: 128, After: 32 << 10, Multiline: true},
		MinEntropy: 3.5,
	}, {
		Meta: meta("BW-SE-103", "putty-private-key", "PuTTY private key", rule.Critical,
			"A PuTTY .ppk file holds an SSH private key; unencrypted ones (\"Encryption: none\") "+
				"give SSH access to every host that trusts the matching public key.",
			rotate("the key pair", "remove the public key from authorized_keys"),
			"https://the.earth.li/~sgtatham/putty/latest/htmldoc/AppendixC.html"),
		Keywords: []string{"putty-user-key-file-"},
		Pattern: `PuTTY-User-Key-File-[23]: [^\r\n]+[\s\S]*?Private-Lines: \d+\r?\n` +
			`(?P<secret>[A-Za-z0-9+/=\r\n]{16,}?)\r?\nPrivate-(?:MAC|Hash): [0-9a-fA-F]{8,}`,
		Window:     Window{Before: 8, After: 16 << 10, Multiline: true},
		MinEntropy: 3.5,
	}, {
		Meta: meta("BW-SE-104", "age-secret-key", "age secret key", rule.Critical,
			"An age identity decrypts every file encrypted to its recipient, including SOPS-encrypted "+
				"Secrets: committing it undoes the encryption of the whole repository.",
			"Generate a new age identity, re-encrypt every SOPS file to the new recipient, and keep "+
				"the identity only in the cluster (the sops-age Secret) or a KMS. Rotate the secrets it protected.",
			"https://github.com/FiloSottile/age", "https://fluxcd.io/flux/guides/mozilla-sops/"),
		Keywords: []string{"age-secret-key-1"},
		Pattern:  `(?P<secret>AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58})`,
	}, {
		Meta: meta("BW-SE-105", "aws-access-key-id", "AWS access key ID", rule.High,
			"An AWS access key ID is half of a long-lived credential; the secret key is usually "+
				"nearby, and the ID alone names the IAM user to attack.",
			rotate("the access key", "IAM console or aws iam delete-access-key")+
				" Use IAM roles (IRSA, EKS Pod Identity) instead of keys.",
			"https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html"),
		Keywords:   []string{"akia", "asia", "abia", "acca", "a3t"},
		Boundary:   true,
		Pattern:    `\b(?P<secret>(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})\b`,
		MinEntropy: 3,
	}, {
		Meta: meta("BW-SE-106", "aws-secret-access-key", "AWS secret access key", rule.Critical,
			"An AWS secret access key signs API requests as its IAM user: with the key ID it gives "+
				"that user's full permissions until someone deletes the key.",
			rotate("the access key", "IAM console or aws iam delete-access-key")+
				" Use IAM roles (IRSA, EKS Pod Identity) instead of keys.",
			"https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html"),
		Keywords: []string{"secret_access_key", "secret-access-key", "secretaccesskey",
			"aws_secret_key", "aws-secret-key", "awssecretkey"},
		Pattern: `(?i:aws[_.-]?secret[_.-]?(?:access[_.-]?)?key|secret[_.-]?access[_.-]?key)` +
			assignOrEnvValue + `(?P<secret>[A-Za-z0-9/+]{40})` + b64End,
		Window:     Window{Before: 64, After: 256, Multiline: true},
		MinEntropy: 4,
	}, {
		Meta: meta("BW-SE-107", "gcp-api-key", "Google API key", rule.High,
			"A Google API key bills and authorises calls to every API it is not restricted from; "+
				"unrestricted keys are routinely abused for paid APIs.",
			rotate("the key", "Google Cloud console, APIs & Services > Credentials")+
				" Restrict new keys by API and referrer.",
			"https://cloud.google.com/docs/authentication/api-keys"),
		Keywords:   []string{"aiza"},
		Boundary:   true,
		Pattern:    `\b(?P<secret>AIza[0-9A-Za-z_-]{35})` + tokenEnd,
		MinEntropy: 4,
	}, {
		Meta: meta("BW-SE-108", "azure-storage-key", "Azure storage account or shared access key", rule.Critical,
			"An Azure storage account key (AccountKey=) or Service Bus/Event Hubs SharedAccessKey gives "+
				"full control of the account's data and lets anyone mint SAS tokens for it.",
			rotate("the key", "regenerate it in the portal or with az storage account keys renew")+
				" Prefer Microsoft Entra Workload ID over keys.",
			"https://learn.microsoft.com/azure/storage/common/storage-account-keys-manage"),
		Keywords: []string{"accountkey", "sharedaccesskey", "azure_storage", "azure-storage",
			"azurestorage", "storage_account_key", "storage-account-key"},
		Pattern: `(?i:AccountKey|SharedAccessKey)[ \t]*=[ \t]*(?P<secret>[A-Za-z0-9+/]{40,86}={0,2})` + b64End +
			`|(?i:azure[_.-]?storage[_.-]?(?:account[_.-]?)?(?:access[_.-]?)?key|storage[_.-]?account[_.-]?key)` +
			assignOrEnvValue + `(?P<secret>[A-Za-z0-9+/]{86}==)` + b64End,
		Window:     Window{Before: 64, After: 512, Multiline: true},
		MinEntropy: 4,
	}, {
		Meta: meta("BW-SE-109", "azure-sas-token", "Azure shared access signature", rule.High,
			"A SAS token (sv=...&sig=...) grants the listed permissions on Azure storage to anyone "+
				"holding the URL until it expires; account SAS tokens often last for years.",
			"Revoke the token by rotating the key that signed it (or deleting its stored access policy), "+
				"then issue short-lived user-delegation SAS from the workload at run time.",
			"https://learn.microsoft.com/azure/storage/common/storage-sas-overview"),
		Keywords:   []string{"&sig="},
		Pattern:    `(?i)\bsv=\d{4}-\d{2}-\d{2}(?:&[a-z]{1,6}=[^&\s"'<>]*)*&sig=(?P<secret>[0-9A-Za-z%+/]{40,120}(?:=|%3D){0,2})`,
		Window:     Window{Before: 1024, After: 256},
		MinEntropy: 3.5,
	}, {
		Meta: meta("BW-SE-110", "azure-ad-client-secret", "Microsoft Entra ID client secret", rule.Critical,
			"An Entra ID (Azure AD) application client secret signs in as the application and carries "+
				"every permission granted to it, often across the whole tenant.",
			rotate("the secret", "App registrations > Certificates & secrets")+
				" Prefer federated credentials or managed identities.",
			"https://learn.microsoft.com/entra/identity-platform/how-to-add-credentials"),
		Keywords:   []string{"0q~", "1q~", "2q~", "3q~", "4q~", "5q~", "6q~", "7q~", "8q~", "9q~"},
		Pattern:    `(?:^|[\\'"\x60\s>=:(,)])(?P<secret>[a-zA-Z0-9_~.]{3}\dQ~[a-zA-Z0-9_~.-]{31,34})(?:$|[\\'"\x60\s<),])`,
		MinEntropy: 3,
	}}
}
