// Package queue is the worker's side of the Redis stream in CONTRACT.md: a consumer group that
// reads new entries, reclaims entries left idle by a dead consumer, and dead-letters entries
// delivered too often.
package queue

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// Message is one stream entry with the number of times it has been delivered (1 the first time).
type Message struct {
	ID                  string
	JobID, TaskID, Kind string
	Deliveries          int64
}

// Entry is what the stream carries for a job (CONTRACT.md: job_id, task_id, kind).
type Entry struct {
	JobID, TaskID, Kind string
}

// Options name the stream, the group and this consumer.
type Options struct {
	Stream, Group, Consumer, DeadStream string
	Block                               time.Duration // how long a read waits for new entries
	ClaimIdle                           time.Duration // idle time after which an entry is reclaimed
}

// Queue is a consumer in a group; its methods are not safe for concurrent use except Ack,
// Publish, DeadLetter and Touch, which the job goroutines call.
type Queue struct {
	rdb         *redis.Client
	opts        Options
	claimCursor string
}

// New returns a consumer; call EnsureGroup before reading.
func New(rdb *redis.Client, opts Options) *Queue {
	return &Queue{rdb: rdb, opts: opts, claimCursor: "0-0"}
}

// EnsureGroup creates the stream and the group when missing. The group starts at the stream's
// beginning so entries added before any worker existed are still read.
func (q *Queue) EnsureGroup(ctx context.Context) error {
	err := q.rdb.XGroupCreateMkStream(ctx, q.opts.Stream, q.opts.Group, "0").Err()
	if err != nil && !redis.HasErrorPrefix(err, "BUSYGROUP") {
		return fmt.Errorf("creating consumer group %s on %s: %w", q.opts.Group, q.opts.Stream, err)
	}
	return nil
}

// Refused reports whether Redis refused a command for a reason that retrying will not fix: the
// stream's name holds a key of another type, or the credentials or ACL do not allow the command.
func Refused(err error) bool {
	return redis.HasErrorPrefix(err, "WRONGTYPE") || redis.IsAuthError(err) || redis.IsPermissionError(err)
}

// GroupMissing reports whether a read failed because the stream or its group is gone (deleted,
// or Redis restarted without its data): NOGROUP, or UNBLOCKED for a read that was waiting when
// it went. EnsureGroup makes them again.
func GroupMissing(err error) bool {
	return redis.HasErrorPrefix(err, "NOGROUP") || redis.HasErrorPrefix(err, "UNBLOCKED")
}

// Read waits up to Block for at most count new entries.
func (q *Queue) Read(ctx context.Context, count int) ([]Message, error) {
	streams, err := q.rdb.XReadGroup(ctx, &redis.XReadGroupArgs{
		Group: q.opts.Group, Consumer: q.opts.Consumer, Streams: []string{q.opts.Stream, ">"},
		Count: int64(count), Block: q.opts.Block,
	}).Result()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", q.opts.Stream, err)
	}
	var out []Message
	for _, s := range streams {
		for _, m := range s.Messages {
			out = append(out, toMessage(m, 1))
		}
	}
	return out, nil
}

// Claim takes over at most count entries that other consumers (or this one, before a restart)
// left unacknowledged for ClaimIdle, with their delivery counts. The scan position is kept
// between calls so a long list of busy entries is walked through rather than rescanned.
func (q *Queue) Claim(ctx context.Context, count int) ([]Message, error) {
	msgs, next, err := q.rdb.XAutoClaim(ctx, &redis.XAutoClaimArgs{
		Stream: q.opts.Stream, Group: q.opts.Group, Consumer: q.opts.Consumer,
		MinIdle: q.opts.ClaimIdle, Start: q.claimCursor, Count: int64(count),
	}).Result()
	if err != nil {
		return nil, fmt.Errorf("reclaiming idle entries of %s: %w", q.opts.Stream, err)
	}
	q.claimCursor = next
	if len(msgs) == 0 {
		return nil, nil
	}
	// XAUTOCLAIM does not return delivery counts; XPENDING does.
	pipe := q.rdb.Pipeline()
	counts := make([]*redis.XPendingExtCmd, len(msgs))
	for i, m := range msgs {
		counts[i] = pipe.XPendingExt(ctx, &redis.XPendingExtArgs{
			Stream: q.opts.Stream, Group: q.opts.Group, Start: m.ID, End: m.ID, Count: 1,
		})
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, fmt.Errorf("reading delivery counts on %s: %w", q.opts.Stream, err)
	}
	out := make([]Message, len(msgs))
	for i, m := range msgs {
		deliveries := int64(1)
		if p := counts[i].Val(); len(p) == 1 {
			deliveries = p[0].RetryCount
		}
		out[i] = toMessage(m, deliveries)
	}
	return out, nil
}

func toMessage(m redis.XMessage, deliveries int64) Message {
	field := func(k string) string { s, _ := m.Values[k].(string); return s }
	return Message{ID: m.ID, JobID: field("job_id"), TaskID: field("task_id"), Kind: field("kind"), Deliveries: deliveries}
}

// Touch resets an entry's idle time while its job is still running (a heartbeat), so a long
// job is not reclaimed from a live worker. It does not count as a delivery.
func (q *Queue) Touch(ctx context.Context, id string) error {
	return q.rdb.XClaimJustID(ctx, &redis.XClaimArgs{
		Stream: q.opts.Stream, Group: q.opts.Group, Consumer: q.opts.Consumer, MinIdle: 0, Messages: []string{id},
	}).Err()
}

// Ack acknowledges an entry: its job's outcome is committed.
func (q *Queue) Ack(ctx context.Context, id string) error {
	if err := q.rdb.XAck(ctx, q.opts.Stream, q.opts.Group, id).Err(); err != nil {
		return fmt.Errorf("acknowledging %s: %w", id, err)
	}
	return nil
}

// Publish adds one entry per job (the orchestrator's format).
func (q *Queue) Publish(ctx context.Context, entries []Entry) error {
	if len(entries) == 0 {
		return nil
	}
	_, err := q.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, e := range entries {
			p.XAdd(ctx, &redis.XAddArgs{Stream: q.opts.Stream, Values: []any{
				"job_id", e.JobID, "task_id", e.TaskID, "kind", e.Kind}})
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("adding %d entries to %s: %w", len(entries), q.opts.Stream, err)
	}
	return nil
}

// DeadLetter copies an entry to the dead-letter stream with the reason and acknowledges it, both
// or neither (MULTI/EXEC).
func (q *Queue) DeadLetter(ctx context.Context, m Message, reason string) error {
	_, err := q.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.XAdd(ctx, &redis.XAddArgs{Stream: q.opts.DeadStream, Values: []any{
			"job_id", m.JobID, "task_id", m.TaskID, "kind", m.Kind, "stream_id", m.ID,
			"deliveries", strconv.FormatInt(m.Deliveries, 10), "consumer", q.opts.Consumer, "error", reason}})
		p.XAck(ctx, q.opts.Stream, q.opts.Group, m.ID)
		return nil
	})
	if err != nil {
		return fmt.Errorf("dead-lettering %s: %w", m.ID, err)
	}
	return nil
}

// Ping checks Redis answers.
func (q *Queue) Ping(ctx context.Context) error { return q.rdb.Ping(ctx).Err() }
