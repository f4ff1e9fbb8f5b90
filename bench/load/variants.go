package load

// Variant is one configuration of the target service under load.
type Variant struct {
	Key  string // short name, for charts and logs
	Name string // the name in the results table
	// About says what the variant runs, for the results.
	About string
}

// Keys of the variants, in the order of [Variants].
const (
	KeyBare        = "bare"
	KeyBareAgain   = "bare-again"
	KeyShadow0     = "shadow-0"
	KeyShadow10    = "shadow-10"
	KeyShadow100   = "shadow-100"
	KeySlowShadow  = "shadow-100-slow"
	KeySync        = "sync"
	KeySlowSync    = "sync-slow"
	KeyNginx       = "nginx"
	KeyNginxMirror = "nginx-mirror"
	KeyReplay10    = "replay-10"
	KeyReplay100   = "replay-100"
)

// IsReplay reports whether the variant with key reads DynamoDB through the
// [Replayer] rather than from dynalite.
func IsReplay(key string) bool { return key == KeyReplay10 || key == KeyReplay100 }

// Variants returns every variant, the baseline first.
func Variants() []Variant {
	return []Variant{
		{Key: KeyBare, Name: "1 no middleware", About: "the shop alone: PostgreSQL serves every read"},
		{Key: KeyBareAgain, Name: "1' no middleware, again", About: "variant 1's process measured a second time in each round: " +
			"the spread between the two is what the machine's noise alone does to the ratios"},
		{Key: KeyShadow0, Name: "2a shadow 0%", About: "Shadower with flags on and a 0% sample: the decision and the routing only"},
		{Key: KeyShadow10, Name: "2b shadow 10%", About: "Shadower sampling 10% of customers"},
		{Key: KeyShadow100, Name: "2c shadow 100%", About: "Shadower sampling every request"},
		{Key: KeySlowShadow, Name: "3 shadow 100%, shadow 10x slower", About: "as 2c, with DynamoDB behind a delaying proxy"},
		{Key: KeySync, Name: "4a synchronous experiment", About: "Scientist-style: both stores read and compared before the user gets an answer"},
		{Key: KeySlowSync, Name: "4b synchronous, shadow 10x slower", About: "as 4a, with DynamoDB behind the delaying proxy"},
		{Key: KeyNginx, Name: "5a nginx proxy", About: "Debian's nginx in front of variant 1, no mirror: the cost of the extra hop"},
		{Key: KeyNginxMirror, Name: "5b nginx mirror", About: "nginx mirroring every request to a second instance that reads DynamoDB; nothing is compared"},
		{Key: KeyReplay10, Name: "6a shadow 10%, DynamoDB replayed", About: "as 2b, with dynalite's recorded answers replayed after a fixed delay " +
			"by a stand-in that costs almost no CPU: the shadow's client work and the library, without dynalite's CPU"},
		{Key: KeyReplay100, Name: "6b shadow 100%, DynamoDB replayed, latency guard", About: "as 2c, with the replayed stand-in of 6a and the latency guard at 1.2x; guard_share_percent is the share it lets through"},
	}
}
