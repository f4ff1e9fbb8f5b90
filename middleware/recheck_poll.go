package middleware

import (
	"context"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/telemetry"
)

// polls are when, as shares of the re-check's delay, both sides are read
// early. The write that explains a mismatch usually reaches the lagging
// store within milliseconds, while the delay has to cover the slow tail of
// dual writes; a second write to the same entity within the delay (a
// customer's next order) would then hide the first behind a state neither
// first answer had. Reading early, and more often where the first write is
// most likely to land, catches it before the next one.
var polls = [...]float64{1.0 / 8, 1.0 / 4, 1.0 / 2}

// poll reads both sides once within the delay, in a free shadow slot (none
// free: no reading this time), and reports whether their answers already
// show the write that explains the first pair, setting the event's outcome
// when they do: the primary's answer equals the shadow's first
// (write_raced), or the shadow's answer equals the primary's first
// (shadow_lagged). Any other answer proves nothing yet; the reading after
// the delay judges.
func (rc *recheck) poll() bool {
	j := rc.job
	s := j.s
	if !s.tryAcquire() {
		return false
	}
	defer s.release()
	ctx, cancel := context.WithTimeout(context.WithValue(rc.ctx, recheckKey{}, true), s.cfg.timeout)
	defer cancel()
	noise := s.noise.evidence(rc.ev.Route, rc.own)
	primary, ok := j.rerun(ctx, j.primaryHandler, rerunRequest(ctx, rc.template, rc.ev.Primary, backends.RolePrimary))
	if ok && j.matches(rc.ev, primary, rc.first.shadow, noise) {
		rc.ev.Outcome, rc.ev.Reason = telemetry.Transient, telemetry.ReasonWriteRaced
		return true
	}
	shadow, ok := j.rerun(ctx, j.handler, withBehind(rerunRequest(ctx, rc.template, rc.ev.Shadow, backends.RoleShadow), &j.behind))
	if ok && !j.behind.Load() && j.matches(rc.ev, rc.first.primary, shadow, noise) {
		rc.ev.Outcome, rc.ev.Reason = telemetry.Transient, telemetry.ReasonShadowLagged
		return true
	}
	return false
}
