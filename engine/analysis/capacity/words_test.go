package capacity

import (
	"strings"
	"testing"

	"github.com/soaklab/soak/engine/analysis"
	"github.com/soaklab/soak/engine/analysis/stats"
)

// TestHorizontalScalingNamesWhatIsShared: the advice to add replicas
// names the database they share only when the service has one.
func TestHorizontalScalingNamesWhatIsShared(t *testing.T) {
	for _, tc := range []struct {
		pool float64
		noDB string
		want string
	}{
		{-1, "the service has no database (data in memory)", "as long as what they share keeps up (the service has no database (data in memory))."},
		{0.4, "", "as long as what they share (the database) keeps up."},
		{-1, "", "as long as what they share (a database, a cache) keeps up."},
	} {
		r := &Result{Model: "users", MaxUsers: 50, MaxRPS: 120, USL: &stats.USL{Lambda: 2.4, N: 5},
			Steps: []Step{{Users: 50, CPU: 0.2, PoolUtilization: tc.pool}}}
		if got := capacityScaling(r, analysis.DefaultThresholds(), tc.noDB).Horizontal; !strings.HasSuffix(got, tc.want) {
			t.Errorf("pool %v, noDB %q:\n got %s\nwant ...%s", tc.pool, tc.noDB, got, tc.want)
		}
	}
}
