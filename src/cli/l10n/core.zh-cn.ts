import type { MessageCode } from '../../core/messages';

/**
 * The core's messages the CLI shows (configuration errors, data dir owners and refusals, the IDE score), in
 * Simplified Chinese, by code (the English is in src/core/messages.ts; terms: docs/l10n/glossary.zh-CN.md).
 */
export const CORE_ZH_CN: Readonly<Partial<Record<MessageCode, string>>> = {
  'list.separator': '；',

  'ide.score.explanation':
    '评分 = 所选模型系列中最先用完的那个系列的剩余配额（0–100）；评分相同时，所选系列的平均剩余配额高者优先，再相同则配额先重置者优先。重置时间已过的系列按满额计；被速率限制的模型在限制结束前按零计。已停用、需要重新登录、还没有配额数据或缺少所选系列的账号不是候选。',
  'ide.reason.disabled': '已停用',
  'ide.reason.state': '状态：{state}',
  'ide.reason.noQuotaData': '还没有配额数据',
  'ide.reason.missingFamilies': '没有 {families} 模型',
  'ide.reason.familyEmpty': '所选的某个系列已没有剩余配额',
  'ide.family.quota': '{family} {percent}%',
  'ide.family.unknown': '{family} –',
  'ide.family.refilled': '{quota}（已重置）',
  'ide.install.missing': '{path} 处没有状态数据库：请先启动 IDE 并登录一次',
  'ide.install.unsupported':
    '它的状态数据库中没有 Antigravity 登录信息：要么从未登录过（请在 IDE 中登录一次，然后退出），要么它把凭据存放在别处（独立版 Antigravity 应用使用系统密钥环），而 Agate 不会写入那里',
  'ide.switch.unsupported': '无法切换：{why}。',
  'ide.switch.wrongClient': '账号池的刷新令牌来自 OAuth 客户端 {clientId}（设置 oauth.clientId），而不是 IDE 刷新时使用的 Antigravity 客户端；IDE 会在一小时内被登出。',
  'ide.switch.noRefreshToken': '没有为 {email} 保存刷新令牌。',
  'ide.switch.tokenExpiring': '{email} 的访问令牌即将过期；请先刷新。',
  'ide.switch.hostsUs': 'Agate 运行在 {product}（{dir}）之中，无法关闭它；必须等 IDE 退出后才能切换。',
  'ide.switch.declined': '{product} 正在运行（PID {pids}）；没有做任何改动。请退出它，或允许 Agate 关闭它。',
  'ide.switch.noBackup': '{product}（{dir}）没有可撤销的 Agate 切换。',

  'providers.pricesSource': '各厂商的价格页面（{pages}），{date} 发布的版本',
  'providers.cap.requestsPerMinute': '{provider}：已达每分钟 {cap} 个请求的上限（{seconds} 秒后解除）',
  'providers.cap.tokensPerDay': '{provider}：已达每日 {cap} 个 token 的上限（今日已用 {used} 个，UTC）',
  'providers.cap.dailySpend': '{provider}：已达每日花费上限 ${cap}（今日已花费 ${spent}，UTC）',
  'providers.cap.noPrice': '{provider}：设置了每日花费上限，但 {model} 没有价格；请用 "agate providers set {provider} --price {model}=IN/OUT" 设置一个',

  'config.expected.number': '{origin}：需要一个数字，收到的是 {value}',
  'config.expected.boolean': '{origin}：需要 true 或 false，收到的是 {value}',
  'config.invalidJson': '{origin}：JSON 无效（{detail}）',
  'config.file.missing': '配置文件 {file} 不存在',
  'config.file.denied': '无法读取配置文件 {file}（权限不足）',
  'config.file.folder': '配置文件 {file} 是文件夹，不是文件',
  'config.file.unreadable': '无法读取配置文件 {file}（{detail}）',
  'config.file.notObject': '配置文件 {file}：顶层必须是 JSON 对象',
  'config.origin.default': '默认值',
  'config.origin.file': '配置文件 {file}',
  'config.origin.env': '环境变量 {name}',
  'config.origin.option': '选项 --{key}',
  'config.origin.key': '"{key}"',
  'config.setting.unknown': '{origin} 不是配置键',
  'config.flag.unknown': '{origin}："{key}" 不是配置键（参见 "agate config"）',
  'config.key.unknown': '未知的配置键 "{key}"（参见 "agate config"）',
  'config.invalid.unknownSetting': '配置无效："{key}" 不是已知的设置',
  'config.invalid.oneOf': '配置无效："{key}" 必须是 {allowed} 之一（收到的是 {value}）',
  'config.invalid.other': '配置无效："{key}" {detail}',
  'config.fromOrigin': '{error}（来源：{origin}）',
  'config.rule.limit': '必须 {comparison} {limit}',
  'config.rule.type': '必须是 {type} 类型',
  'config.rule.minLength': '不能少于 {limit} 个字符',
  'config.rule.maxLength': '不能多于 {limit} 个字符',

  'listen.refused.lan':
    '拒绝监听 {host}：其他机器可以访问这个地址，而 allowLanAccess 为 false。请监听 127.0.0.1，或把 allowLanAccess 设为 true（之后客户端需要 Agate 密钥）。',
  'listen.refused.authOff':
    '拒绝在 authMode 为 "off" 时监听 {host}：网络上的任何人都能使用你的账号。请把 authMode 设为 "auto"、"strict" 或 "all_except_health"，并给客户端一个密钥（"agate keys create"）。',

  'admin.setting.unknown': '设置 "{key}" 不是已知的设置',
  'admin.setting.oneOf': '设置 "{key}" 必须是 {allowed} 之一（收到的是 {value}）',
  'admin.setting.other': '设置 "{key}" {detail}',
  'admin.setting.notInPanel': '仪表板不能更改 "{key}"（它能更改的设置：{keys}）',
  'admin.setting.dataDir': '运行中的网关不能更改 "dataDir"：网关的数据都保存在那里',
  'admin.setting.notConfigKey': '"{key}" 不是配置键（参见 "agate config"）',
  'admin.changes.notObject': '"changes" 必须是由设置组成的对象',
  'admin.changes.empty': '"changes" 没有指定任何设置',
  'admin.unavailable.settings': '这个宿主不允许仪表板更改它的设置',
  'admin.unavailable.running': '这个宿主自己启动和停止网关，不能从仪表板操作',
  'admin.unavailable.config': '这个宿主不允许其他进程更改它的配置',
  'admin.unavailable.monitor': '这个网关关闭了请求监控和 token 统计',
  'admin.account.notFound': '没有 ID 为 "{id}" 的账号',

  'owner.role.serve': '"agate serve"',
  'owner.role.demo': '"agate demo"',
  'owner.role.vscode': '某个 VS Code 窗口中的 Agate 扩展',
  'owner.role.cli': '一个 "agate" 命令',
  'owner.describe': '{role}（PID {pid}{port}{host}）',
  'owner.port': '，端口 {port}',
  'owner.host': '，位于 {host}',
  'dataDir.owned': '{owner} 占用着数据目录 {dataDir}',
  'dataDir.ownerSilent': '{owner} 占用着数据目录 {dataDir} 但没有响应；请重试，或先停止它',
  'dataDir.busy': '数据目录 {dataDir} 持续被占用了 {seconds} 秒；请重试',
  'dataDir.lockPending': '锁文件 {file} 正由另一个进程创建；请重试',
  'dataDir.alreadyServed': '已有另一个 Agate 在为数据目录 {dataDir} 提供服务：{owner}。请使用那一个（agate 命令会连接到它），或先停止它，或用 --data-dir 给这个指定另一个数据目录。',
  'dataDir.alreadyServedAt':
    '已有另一个 Agate 在为数据目录 {dataDir} 提供服务：{owner}，地址 {url}。请使用那一个（agate 命令会连接到它），或先停止它，或用 --data-dir 给这个指定另一个数据目录。',
};
