import { AGATE_VERSION } from './host';
import type { CliHelp } from './l10n';

/** The CLI's help in Simplified Chinese (terms: docs/l10n/glossary.zh-CN.md). Options and commands stay as typed. */

const COMMON_OPTIONS = `所有命令都接受的选项（放在命令名之前或之后均可）：
  --data-dir DIR            账号、密钥、日志和统计的存放位置（默认 ~/.agate）
  --config FILE             JSON 配置文件（优先级：默认值 < 配置文件 < AGATE_* 环境变量 < 命令行选项）
  --set key=value           设置任意配置键，例如 --set scheduling.mode=balance 或 --set models.aliases.gpt-4o=gemini-3-flash
                            （可重复）
  --lang en|zh-CN           消息和帮助的语言（默认取自 LC_ALL、LC_MESSAGES 或 LANG，否则为英文）
  -h, --help                显示此帮助
`;

const SERVER_OPTIONS = `  --port N, --host ADDR     监听位置（--set port=N、--set host=ADDR 的简写）
  --quiet                   不在标准输出中逐条打印请求
  --log-format text|json    每条请求的输出格式：文本（默认）或一个 JSON 对象
  --redis URL               团队模式：通过此 Redis 与其他实例共享账号池
                            （--set store.redis.url=URL 的简写；团队密钥：AGATE_REDIS_SECRET_KEY）
`;

const COMMAND_HELP: Record<string, string> = {
  serve: `用法：agate serve [选项]

使用数据目录中的账号在前台运行网关；按 Ctrl-C 可平稳停止。依次打印基础 URL、可直接粘贴的客户端设置、
仪表板 URL，然后每个请求打印一行。

${SERVER_OPTIONS}`,
  demo: `用法：agate demo [选项]

使用内置的上游模拟器和一个演示账号运行真实的网关，数据放在临时数据目录中（除非指定 --data-dir）：
无需 Google 账号即可试用客户端和仪表板。回答来自模拟器；提示中的指令可触发工具调用（[[sim:call NAME {json}]]）
和故障（[[sim:fault KIND]]）。

${SERVER_OPTIONS}  --simulator URL           使用已在运行的模拟器（"agate simulate"），而不是另行启动一个
  --sim-port N              此命令启动的模拟器的端口（默认：任一空闲端口）
  --no-observability        不启用请求监控和 token 统计（用于基准测试）
`,
  simulate: `用法：agate simulate [--port N] [--host ADDR] [--latency-ms N] [--frame-interval-ms N] [--quota-cost F] [--log-entries N]

只运行上游模拟器（Google OAuth 和 Cloud Code 的替身），用于测试和基准测试；用
"agate demo --simulator URL" 让网关指向它。

  --latency-ms N            每个回答第一个字节之前的延迟
  --frame-interval-ms N     流式帧之间的延迟
  --quota-cost F            每个回答消耗的账号配额比例（默认 0.01）
  --log-entries N           日志（/__sim/log）保留的请求数，含请求体（默认 10000）
`,
  accounts: `用法：agate accounts <操作> [选项]

管理数据目录中的 Google 账号：若有网关正在使用该数据目录，则通过该网关操作（更改立即生效），否则直接操作。

  list                              账号及其状态和配额（默认操作）
  add --sign-in [--email E]         在浏览器中添加账号（本机回环重定向；E 为预选账号）
  add --refresh-token TOKEN [--email E]
                                    通过刷新令牌添加账号（令牌不属于 E 时拒绝）
  import FILE                       批量导入：由 {email?, refresh_token} 组成的 JSON 数组
  remove|enable|disable ACCOUNT     按邮箱或 ID 指定账号
  reauth ACCOUNT [--refresh-token TOKEN]
                                    重新登录该账号
  refresh [ACCOUNT]                 立即获取配额（不指定 ACCOUNT 时获取所有正常账号）
`,
  providers: `用法：agate providers <操作> [选项]

账号之外的付费 API 密钥提供商：若有网关正在使用该数据目录，则通过该网关操作（更改立即生效），否则直接操作。
密钥从 AGATE_PROVIDER_KEY（或 --key-env VAR、--key-stdin）读取，从不取自命令行；会向提供商验证，并保存在
加密的机密存储中。

  list                              提供商及其模型、限制和状态（默认操作）
  add NAME --kind KIND [--base-url URL] [--models a,b] [--priority N] [--rpm N] [--tokens-per-day N]
      [--daily-cap USD] [--price MODEL=IN/OUT[/CACHED]]… [--disabled]
                                    KIND：anthropic、gemini-api 或 openai-compatible（需要 --base-url，
                                    例如 https://api.openai.com/v1 或 http://127.0.0.1:11434/v1）；未列出模型时
                                    取自提供商的模型端点；价格单位为每百万 token 的美元数
  set NAME [与 add 相同的选项]      修改限制、价格、模型、基础 URL 或（配合 --key-env/--key-stdin）密钥
  remove|enable|disable NAME        按名称或 ID 指定；remove 会删除密钥
  refresh NAME                      重新向提供商获取其模型
`,
  keys: `用法：agate keys <操作> [选项]

客户端密钥（每个客户端或每人一个；启用认证时使用）以及你自己的主密钥。

  list                              密钥及其模型、限制和今日用量（默认操作）
  create NAME [--models a,b*] [--rpm N] [--rpd N] [--tpm N] [--tpd N] [--concurrency N]
                                    为一个客户端或一个人创建密钥（仅显示一次）
  rotate|revoke KEY                 按名称或 ID 指定
  primary [--rotate]                打印（或更换）你自己的密钥，它同时可访问管理 API 和仪表板
`,
  config: `用法：agate config [--json]
      agate config set KEY=VALUE …

不带操作时：列出每项设置的生效值及其来源（默认值、配置文件、AGATE_* 变量或命令行选项）；
--json 则以 JSON 打印配置。
set：将设置保存到配置文件；使用该数据目录运行的网关会立即应用（监听和构建时的键在下次启动时生效）。
映射条目同样适用：models.aliases.gpt-4o=gemini-3-flash。
`,
  ide: `用法：agate ide status|switch [ACCOUNT|--best]|undo [选项]

让 Antigravity IDE（其自带的代理）登录账号池中的一个账号。查找 IDE 的状态数据库（先找 "Antigravity IDE"
文件夹，再找旧版的 "Antigravity"；正在运行的实例的 --user-data-dir；便携版安装），读取它使用的账号及格式，
先备份（state.vscdb.agate-backup），再在一个事务中写入新账号的令牌。此时 IDE 必须关闭：Agate 会先询问，
像“退出”一样关闭它，确认其所有进程都已结束，然后重新启动它。若在 IDE 自己的终端中运行，则由一个助手程序
等你退出 IDE 后再切换。

  status                    各个安装、其登录状态，以及账号池中各账号的评分
  switch ACCOUNT            让 IDE 登录 ACCOUNT（邮箱或 ID）
  switch --best             登录评分最高的账号（不是当前使用的账号）
  undo                      将数据库恢复到上次切换之前的状态
  --families a,b            评分计入的模型系列：claude、gemini-pro、gemini-flash（默认全部）
  --user-data-dir DIR       IDE 的数据文件夹（无法自动找到时）
  --yes, -y                 不询问，直接关闭正在运行的 IDE
  --no-relaunch             不重新启动 IDE

评分：所选模型系列中最先耗尽者的剩余配额（0-100）；分数相同时平均值高者优先，再相同则配额重置更早者优先。
重置时间已过的配额按满额计算。
`,
  connect: `用法：agate connect CLIENT [--yes] [--undo] [--model M] [--key K] [--url URL] [--trust DIR]

在客户端自己的设置中让它指向 Agate（claude-code、codex、gemini-cli、opencode、cline；openai-compatible
只打印设置）：显示差异，询问后写入（除非指定 --yes），并保留备份；--undo 可恢复。--trust DIR（仅 gemini-cli，可重复）
还会把 DIR 加入 gemini-cli 信任的文件夹，它只在这些文件夹中读取 connect 写入的 .env。
`,
  team: `用法：agate team status [--redis URL] [--json]

共享团队 Redis（store.redis.url、AGATE_REDIS_URL 或 --redis）的实例：ID、主机、版本、监听地址及最近心跳。
无需在本机运行网关。
`,
  version: `用法：agate version

打印版本号。
`,
};

const USAGE = `agate ${AGATE_VERSION} — 为 Anthropic、OpenAI 和 Gemini 客户端提供一个本地基础 URL

用法：agate <命令> [选项]

命令：
  serve                     运行网关（按 Ctrl-C 平稳停止）
  demo                      使用内置上游模拟器和一个演示账号运行网关
  simulate                  只运行上游模拟器
  accounts list             账号及其状态和配额
  accounts add --sign-in [--email E]
                            在浏览器中添加 Google 账号（本机回环重定向；E 为预选账号）
  accounts add --refresh-token TOKEN [--email E]
                            通过刷新令牌添加账号（令牌不属于 E 时拒绝）
  accounts import FILE      批量导入：由 {email?, refresh_token} 组成的 JSON 数组
  accounts remove|enable|disable|reauth ACCOUNT   （邮箱或 ID）
  accounts refresh [ACCOUNT]  立即获取配额
  providers list|add|set|remove|enable|disable|refresh
                            账号之外的 API 密钥提供商（Anthropic、Gemini API、OpenAI 兼容）
  keys list                 客户端密钥及其模型、限制和今日用量
  keys create NAME [--models a,b*] [--rpm N] [--rpd N] [--tpm N] [--tpd N] [--concurrency N]
                            为一个客户端或一个人创建密钥（仅显示一次）
  keys rotate|revoke KEY    （名称或 ID）
  keys primary [--rotate]   打印（或更换）你自己的密钥，它同时可访问管理 API
  config                    打印生效的配置及每一层的来源
  config set KEY=VALUE …    保存设置；使用该数据目录运行的网关会立即应用（监听和构建时的键在下次启动时生效）
  connect CLIENT [--yes] [--undo] [--model M]
                            在客户端自己的设置中让它指向 Agate（claude-code、codex、gemini-cli、opencode、
                            cline；openai-compatible 只打印设置）：显示差异，保留备份，--undo 可恢复
  ide status|switch [ACCOUNT|--best]|undo
                            让 Antigravity IDE 登录账号池中的账号（按剩余配额选最佳）：经你同意后关闭它，
                            保留备份，再重新启动；undo 恢复备份
  team status               共享团队 Redis 的实例（团队模式）
  version                   打印版本号

"agate COMMAND --help" 可查看某个命令的详细说明。

${COMMON_OPTIONS}`;

export const HELP_ZH_CN: CliHelp = { usage: USAGE, common: COMMON_OPTIONS, commands: COMMAND_HELP };
