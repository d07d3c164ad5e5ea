package secret

import "github.com/bulwark-dev/bulwark/internal/rule"

// tokenRules are API tokens whose format names the issuer: a fixed prefix
// makes them precise, so they need no context and little entropy.
func tokenRules() []Rule {
	return []Rule{{
		Meta: meta("BW-SE-111", "github-token", "GitHub token", rule.Critical,
			"A GitHub personal, OAuth, app or refresh token (ghp_, gho_, ghu_, ghs_, ghr_) acts as its "+
				"user or app: it can read private code, push to repositories and change workflows.",
			rotate("the token", "github.com/settings/tokens, or the app's installation")+
				" In CI use the short-lived GITHUB_TOKEN or OIDC.",
			"https://docs.github.com/authentication/keeping-your-account-and-data-secure/about-authentication-to-github#githubs-token-formats"),
		Keywords:   []string{"ghp_", "gho_", "ghu_", "ghs_", "ghr_"},
		Boundary:   true,
		Pattern:    `\b(?P<secret>gh[pousr]_[0-9A-Za-z]{36,251})\b`,
		MinEntropy: 3,
	}, {
		Meta: meta("BW-SE-112", "github-fine-grained-pat", "GitHub fine-grained personal access token", rule.Critical,
			"A fine-grained GitHub token (github_pat_) acts as its user on the repositories and "+
				"permissions it was granted, until it expires.",
			rotate("the token", "github.com/settings/personal-access-tokens"),
			"https://docs.github.com/authentication/keeping-your-account-and-data-secure/managing-your-personal-access-tokens"),
		Keywords:   []string{"github_pat_"},
		Boundary:   true,
		Pattern:    `\b(?P<secret>github_pat_[0-9A-Za-z_]{82})\b`,
		MinEntropy: 3,
	}, {
		Meta: meta("BW-SE-113", "gitlab-token", "GitLab token", rule.Critical,
			"A GitLab personal, deploy, runner, agent, CI job, OAuth or trigger token (glpat-, gldt-, "+
				"glrt-, glagent-, glcbt-, ...) gives API, registry or cluster access as its owner.",
			rotate("the token", "the GitLab user, project or group access-token settings"),
			"https://docs.gitlab.com/security/tokens/"),
		Keywords: []string{"glpat-", "gldt-", "glrt-", "glptt-", "glft-", "glsoat-", "glffct-",
			"glagent-", "gloas-", "glimt-", "glcbt-"},
		Boundary:   true,
		Pattern:    `\b(?P<secret>(?:glpat|gldt|glrt|glptt|glft|glsoat|glffct|glagent|gloas|glimt|glcbt)-[0-9A-Za-z_.-]{20,300})` + tokenEnd,
		MinEntropy: 3,
	}, {
		Meta: meta("BW-SE-114", "slack-token", "Slack token", rule.High,
			"A Slack bot, user, app or configuration token (xoxb-, xoxp-, xapp-, xoxe-, ...) reads and "+
				"posts messages, files and channel history as its owner.",
			rotate("the token", "api.slack.com/apps, OAuth & Permissions"),
			"https://api.slack.com/authentication/token-types"),
		Keywords:   []string{"xoxa-", "xoxb-", "xoxe-", "xoxe.", "xoxo-", "xoxp-", "xoxr-", "xoxs-", "xapp-"},
		Boundary:   true,
		Pattern:    `\b(?P<secret>(?:xox[abeoprs]|xoxe\.xox[bp]|xapp)-[0-9A-Za-z-]{10,250})` + tokenEnd,
		MinEntropy: 3,
	}, {
		Meta: meta("BW-SE-115", "slack-webhook-url", "Slack incoming webhook URL", rule.Medium,
			"A Slack webhook URL lets anyone post messages into the channel it belongs to, which is "+
				"enough for convincing phishing inside the workspace.",
			rotate("the webhook", "api.slack.com/apps, Incoming Webhooks"),
			"https://api.slack.com/messaging/webhooks"),
		Keywords:   []string{"hooks.slack.com"},
		Pattern:    `(?P<secret>hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9+/]{43,56})`,
		MinEntropy: 3,
	}, {
		Meta: meta("BW-SE-116", "stripe-secret-key", "Stripe live secret or restricted key", rule.Critical,
			"A Stripe live secret (sk_live_) or restricted (rk_live_) key moves money: it creates "+
				"charges, refunds and payouts on the account.",
			rotate("the key", "Stripe dashboard, Developers > API keys"),
			"https://docs.stripe.com/keys"),
		Keywords:   []string{"sk_live_", "rk_live_", "sk_prod_", "rk_prod_"},
		Boundary:   true,
		Pattern:    `\b(?P<secret>[rs]k_(?:live|prod)_[0-9A-Za-z]{10,247})\b`,
		MinEntropy: 3,
	}, {
		Meta: meta("BW-SE-117", "npm-token", "npm access token", rule.High,
			"An npm token (npm_) publishes packages as its owner: a supply-chain attack on every "+
				"user of those packages.",
			rotate("the token", "npmjs.com, Access Tokens")+" Publish from CI with trusted publishing.",
			"https://docs.npmjs.com/about-access-tokens"),
		Keywords:   []string{"npm_"},
		Boundary:   true,
		Pattern:    `\b(?P<secret>npm_[0-9A-Za-z]{36})\b`,
		MinEntropy: 3,
	}, {
		Meta: meta("BW-SE-118", "pypi-token", "PyPI upload token", rule.High,
			"A PyPI API token (pypi-AgEIcHlwaS5vcmc...) uploads releases of its projects: a "+
				"supply-chain attack on everyone who installs them.",
			rotate("the token", "pypi.org account settings, API tokens")+" Publish from CI with trusted publishing.",
			"https://pypi.org/help/#apitoken"),
		Keywords:   []string{"pypi-ageichlwas5vcmc"},
		Pattern:    `(?P<secret>pypi-AgEIcHlwaS5vcmc[0-9A-Za-z_-]{50,1000})`,
		MinEntropy: 3,
	}, {
		Meta: meta("BW-SE-119", "dockerhub-pat", "Docker Hub access token", rule.High,
			"A Docker Hub personal or organisation access token (dckr_pat_, dckr_oat_) pushes images "+
				"as its owner: whoever holds it can replace images your clusters pull.",
			rotate("the token", "Docker Hub, Account settings > Personal access tokens"),
			"https://docs.docker.com/security/for-developers/access-tokens/"),
		Keywords:   []string{"dckr_pat_", "dckr_oat_"},
		Boundary:   true,
		Pattern:    `\b(?P<secret>dckr_(?:pat|oat)_[0-9A-Za-z_-]{27,64})` + tokenEnd,
		MinEntropy: 3,
	}, {
		Meta: meta("BW-SE-120", "twilio-api-key", "Twilio API key", rule.High,
			"A Twilio API key SID (SK + 32 hex) with its secret sends SMS and calls billed to the "+
				"account. A bare SK value is only reported near the word twilio: the keyword \"sk\" "+
				"alone would run the regex on every \"task\" and \"skip\".",
			rotate("the key", "Twilio console, API keys & tokens"),
			"https://www.twilio.com/docs/iam/api-keys"),
		Keywords:   []string{"twilio"},
		Pattern:    `\b(?P<secret>SK[0-9a-fA-F]{32})\b`,
		Window:     Window{Before: 256, After: 512, Multiline: true},
		MinEntropy: 3,
	}, {
		Meta: meta("BW-SE-121", "sendgrid-api-key", "SendGrid API key", rule.High,
			"A SendGrid API key (SG.xxx.yyy) sends mail as your verified domains, which makes "+
				"phishing pass SPF and DKIM.",
			rotate("the key", "SendGrid, Settings > API Keys"),
			"https://www.twilio.com/docs/sendgrid/ui/account-and-settings/api-keys"),
		Keywords:   []string{"sg."},
		Boundary:   true,
		Pattern:    `\b(?P<secret>SG\.[0-9A-Za-z_-]{22}\.[0-9A-Za-z_-]{43})` + tokenEnd,
		MinEntropy: 3,
	}, {
		Meta: meta("BW-SE-122", "openai-api-key", "OpenAI API key", rule.High,
			"An OpenAI API key (sk-proj-, sk-svcacct-, sk-admin-, or sk- with T3BlbkFJ) spends the "+
				"organisation's credit and reads its files, assistants and fine-tunes.",
			rotate("the key", "platform.openai.com, API keys"),
			"https://platform.openai.com/docs/api-reference/authentication"),
		Keywords: []string{"t3blbkfj", "sk-proj-", "sk-svcacct-", "sk-admin-"},
		Pattern: `\b(?P<secret>sk-(?:(?:proj|svcacct|admin)-)?[0-9A-Za-z_-]{20,250}T3BlbkFJ[0-9A-Za-z_-]{20,250}` +
			`|sk-(?:proj|svcacct|admin)-[0-9A-Za-z_-]{80,300})` + tokenEnd,
		Window:     Window{Before: 320, After: 640},
		MinEntropy: 3,
	}, {
		Meta: meta("BW-SE-123", "anthropic-api-key", "Anthropic API key", rule.High,
			"An Anthropic API or admin key (sk-ant-api03-, sk-ant-admin01-) spends the organisation's "+
				"credit; admin keys also manage its members and keys.",
			rotate("the key", "console.anthropic.com, API keys"),
			"https://docs.anthropic.com/en/api/overview"),
		Keywords:   []string{"sk-ant-api03-", "sk-ant-admin01-"},
		Boundary:   true,
		Pattern:    `\b(?P<secret>sk-ant-(?:api03|admin01)-[0-9A-Za-z_-]{93}AA)` + tokenEnd,
		MinEntropy: 3,
	}, {
		Meta: meta("BW-SE-124", "vault-token", "HashiCorp Vault token", rule.Critical,
			"A Vault service or batch token (hvs., hvb.) reads every secret its policies allow; "+
				"tokens for CI or injectors often see a whole environment's secrets.",
			rotate("the token", "vault token revoke")+" Let workloads log in with the Kubernetes auth method instead.",
			"https://developer.hashicorp.com/vault/docs/concepts/tokens"),
		Keywords:   []string{"hvs.", "hvb."},
		Boundary:   true,
		Pattern:    `\b(?P<secret>hvs\.[0-9A-Za-z_-]{90,120}|hvb\.[0-9A-Za-z_-]{138,300})` + tokenEnd,
		MinEntropy: 3.5,
	}}
}
