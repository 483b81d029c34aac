package queue_test

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/kubemap/stack/worker/internal/queue"
	"github.com/kubemap/stack/worker/internal/testenv"
)

var ctx = context.Background()

func consumer(env *testenv.Env, name string, idle time.Duration) *queue.Queue {
	return queue.New(env.Redis, queue.Options{
		Stream: env.Stream, Group: env.Group, Consumer: name, DeadStream: env.DeadStream,
		Block: 50 * time.Millisecond, ClaimIdle: idle,
	})
}

func TestGroupReadAndAck(t *testing.T) {
	env := testenv.New(t)
	q := consumer(env, "a", time.Minute)
	// Entries added before the group exists are still read (the group starts at 0).
	if err := q.Publish(ctx, []queue.Entry{{JobID: "j1", TaskID: "t1", Kind: "sha256"}}); err != nil {
		t.Fatal(err)
	}
	for range 2 { // creating the group twice is fine
		if err := q.EnsureGroup(ctx); err != nil {
			t.Fatal(err)
		}
	}
	msgs, err := q.Read(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 1 || msgs[0].JobID != "j1" || msgs[0].TaskID != "t1" || msgs[0].Kind != "sha256" || msgs[0].Deliveries != 1 {
		t.Fatalf("read %+v", msgs)
	}
	if env.Pending(t) != 1 {
		t.Fatal("a read entry must be pending until acknowledged")
	}
	if more, err := q.Read(ctx, 10); err != nil || len(more) != 0 {
		t.Fatalf("second read: %v %+v", err, more)
	}
	if err := q.Ack(ctx, msgs[0].ID); err != nil {
		t.Fatal(err)
	}
	if env.Pending(t) != 0 {
		t.Fatal("acknowledged entry still pending")
	}
}

func TestClaimTakesIdleEntriesWithDeliveryCount(t *testing.T) {
	env := testenv.New(t)
	// Two views of one consumer: "patient" claims only entries idle for a minute (none can be in
	// this test), "eager" those idle for 100 ms. Whether an entry is idle enough is Redis's call,
	// so the test waits for the claim instead of sleeping past the idle time.
	dead := consumer(env, "dead", time.Minute)
	patient, eager := consumer(env, "live", time.Minute), consumer(env, "live", 100*time.Millisecond)
	if err := dead.EnsureGroup(ctx); err != nil {
		t.Fatal(err)
	}
	if err := dead.Publish(ctx, []queue.Entry{{JobID: "j1"}, {JobID: "j2"}}); err != nil {
		t.Fatal(err)
	}
	if msgs, err := dead.Read(ctx, 2); err != nil || len(msgs) != 2 {
		t.Fatalf("read %v %+v", err, msgs)
	}
	if msgs, err := patient.Claim(ctx, 10); err != nil || len(msgs) != 0 {
		t.Fatalf("claimed entries that are not idle yet: %v %+v", err, msgs)
	}
	var msgs []queue.Message
	testenv.Eventually(t, testenv.Patience, "both entries claimed once idle", func() bool {
		got, err := eager.Claim(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		msgs = append(msgs, got...)
		return len(msgs) >= 2
	})
	if len(msgs) != 2 || msgs[0].JobID != "j1" || msgs[1].JobID != "j2" || msgs[0].Deliveries != 2 || msgs[1].Deliveries != 2 {
		t.Fatalf("claimed %+v", msgs)
	}
	var again []queue.Message
	testenv.Eventually(t, testenv.Patience, "a claimed entry claimed again once idle", func() bool {
		got, err := eager.Claim(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		again = got
		return len(again) > 0
	})
	if len(again) != 1 || again[0].Deliveries != 3 {
		t.Fatalf("claim again: %+v", again)
	}
}

func TestTouchKeepsEntryFromBeingClaimed(t *testing.T) {
	env := testenv.New(t)
	busy, other := consumer(env, "busy", time.Minute), consumer(env, "other", 100*time.Millisecond)
	if err := busy.EnsureGroup(ctx); err != nil {
		t.Fatal(err)
	}
	if err := busy.Publish(ctx, []queue.Entry{{JobID: "j1"}}); err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	msgs, err := busy.Read(ctx, 1)
	if err != nil || len(msgs) != 1 {
		t.Fatalf("read %v %+v", err, msgs)
	}
	id := msgs[0].ID
	// Let the entry grow idle (as Redis counts it), then touch it: its idle time starts again.
	testenv.Eventually(t, testenv.Patience, "the entry idle for 1 s", func() bool { return env.IdleMillis(t, id) >= 1000 })
	if err := busy.Touch(ctx, id); err != nil {
		t.Fatal(err)
	}
	// Without the touch the idle time would be about the time since the read; with it, at most
	// the time since the touch, which is at least 1 s less (a slow machine only widens the gap).
	idle := time.Duration(env.IdleMillis(t, id)) * time.Millisecond
	if sinceRead := time.Since(began); idle > sinceRead-500*time.Millisecond {
		t.Fatalf("touch did not reset the idle time: idle %s, %s since the read", idle, sinceRead)
	}
	var got []queue.Message
	testenv.Eventually(t, testenv.Patience, "the entry claimed once idle again", func() bool {
		got, err = other.Claim(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		return len(got) > 0
	})
	if len(got) != 1 || got[0].Deliveries != 2 {
		t.Fatalf("touches must not count as deliveries: %+v", got)
	}
}

func TestDeadLetterCopiesAndAcknowledges(t *testing.T) {
	env := testenv.New(t)
	q := consumer(env, "a", time.Minute)
	if err := q.EnsureGroup(ctx); err != nil {
		t.Fatal(err)
	}
	if err := q.Publish(ctx, []queue.Entry{{JobID: "j1", TaskID: "t1", Kind: "translate"}}); err != nil {
		t.Fatal(err)
	}
	msgs, err := q.Read(ctx, 1)
	if err != nil || len(msgs) != 1 {
		t.Fatalf("read %v %+v", err, msgs)
	}
	if err := q.DeadLetter(ctx, msgs[0], "unknown job kind"); err != nil {
		t.Fatal(err)
	}
	if env.Pending(t) != 0 {
		t.Fatal("dead-lettered entry still pending")
	}
	dead, err := env.Redis.XRange(ctx, env.DeadStream, "-", "+").Result()
	if err != nil || len(dead) != 1 {
		t.Fatalf("dead stream: %v %+v", err, dead)
	}
	v := dead[0].Values
	if v["job_id"] != "j1" || v["task_id"] != "t1" || v["kind"] != "translate" || v["stream_id"] != msgs[0].ID ||
		v["deliveries"] != "1" || v["consumer"] != "a" || v["error"] != "unknown job kind" {
		t.Fatalf("dead entry %v", v)
	}
}

func TestReadErrorsSayWhetherToRetry(t *testing.T) {
	env := testenv.New(t)
	q := consumer(env, "a", time.Minute)
	_, err := q.Read(ctx, 1) // no stream, no group yet
	if !queue.GroupMissing(err) || queue.Refused(err) {
		t.Fatalf("read before EnsureGroup: %v; want GroupMissing", err)
	}
	if err := env.Redis.Set(ctx, env.Stream, "not a stream", 0).Err(); err != nil {
		t.Fatal(err)
	}
	_, err = q.Read(ctx, 1)
	if !queue.Refused(err) || queue.GroupMissing(err) {
		t.Fatalf("read of a string key: %v; want Refused", err)
	}
	if err := q.EnsureGroup(ctx); !queue.Refused(err) {
		t.Fatalf("EnsureGroup on a string key: %v; want Refused", err)
	}
	// Unreachable is neither: the caller waits and retries.
	closed := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1})
	defer closed.Close()
	down := queue.New(closed, queue.Options{Stream: env.Stream, Group: env.Group, Consumer: "a"})
	if err := down.EnsureGroup(ctx); err == nil || queue.Refused(err) || queue.GroupMissing(err) {
		t.Fatalf("EnsureGroup on a closed port: %v; want a plain (retryable) error", err)
	}
}
