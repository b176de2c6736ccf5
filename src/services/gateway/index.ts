/**
 * The gateway phase's API for other services (bootstrap, doctor, leave): all callable without oclif.
 */
export {configureGateway, resolveExpose, RISK_LAN, type ConfigureOptions, type ConfigureResult} from './configure.js'
export {startGateway, localUrl, type StartOptions, type StartResult} from './start.js'
export {gatewayStatus, type GatewayStatus} from './status.js'
export {checkGatewayToken, checkHooksToken, wsUrlFor, type TokenCheck, type TokenVerdict} from './token-check.js'
export {probeGatewayHealth, waitForGateway, type HealthProbe, type ProbeAnswer} from './health.js'
export {ourBackgroundPid, stopBackgroundGateway, backgroundFiles, gatewayFailureReason} from './background.js'
export {restoreConfig, backupConfigBytes, keepOriginal} from './backups.js'
export {ensureGatewayTokens, newToken, secretWiring, writeSecretLauncher, cliEntryPath} from './secret-wiring.js'
export {openResolverStore, resolveSecretRequest, RESOLVABLE_IDS} from './secret-resolve.js'
export {readOpenClawConfig, assertConfigWritable, validateOpenClawConfig, writeConfigValidated, type OpenClawConfigFile} from '../openclaw/config-file.js'
export {locateOpenClaw, probeOpenClawRuntime, requireOpenClaw, openclawArgs, type OpenClawLocation, type OpenClawRuntime} from '../openclaw/locate.js'
export {installOpenClaw, planOpenClawInstall} from '../openclaw/install.js'
