package load

import "time"

// CPU is the CPU time used by groups of processes while a variant ran.
type CPU struct {
	Service  time.Duration // the variant's own processes (for nginx: nginx and both instances)
	Postgres time.Duration
	Dynalite time.Duration
	Harness  time.Duration // the generator and the delay proxy
	// Others is the rest of the machine's busy time: other processes and
	// the kernel's work not charged to a process.
	Others time.Duration
	// Steal is time the hypervisor gave to other machines.
	Steal   time.Duration
	Elapsed time.Duration // wall time measured
	// The time the threads of the service, PostgreSQL and the harness
	// spent runnable but waiting for a CPU, summed over threads
	// (/proc/PID/task/TID/schedstat).
	ServiceWait, PostgresWait, HarnessWait time.Duration
}

// Add adds o to c.
func (c *CPU) Add(o CPU) {
	c.Service += o.Service
	c.Postgres += o.Postgres
	c.Dynalite += o.Dynalite
	c.Harness += o.Harness
	c.Others += o.Others
	c.Steal += o.Steal
	c.Elapsed += o.Elapsed
	c.ServiceWait += o.ServiceWait
	c.PostgresWait += o.PostgresWait
	c.HarnessWait += o.HarnessWait
}

// Busy returns the share of cpus CPUs that was busy, from 0 to 1.
func (c CPU) Busy(cpus int) float64 {
	if c.Elapsed <= 0 || cpus < 1 {
		return 0
	}
	total := c.Service + c.Postgres + c.Dynalite + c.Harness + c.Others
	return float64(total) / float64(c.Elapsed*time.Duration(cpus))
}
