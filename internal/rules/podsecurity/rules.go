package podsecurity

// rules lists every Pod Security rule, one per official check, in ID order.
func rules() []*pssRule {
	return []*pssRule{
		privileged,
		hostNamespaces,
		hostPathVolumes,
		hostPorts,
		capabilitiesBaseline,
		appArmor,
		seLinux,
		procMount,
		seccompBaseline,
		sysctls,
		windowsHostProcess,
		hostProbes,
		allowPrivilegeEscalation,
		capabilitiesRestricted,
		restrictedVolumes,
		runAsNonRoot,
		runAsUser,
		seccompRestricted,
		procMountRestricted,
	}
}
