package queue_test

import (
	"context"
	"testing"
	"time"

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
	dead, live := consumer(env, "dead", time.Minute), consumer(env, "live", 100*time.Millisecond)
	if err := dead.EnsureGroup(ctx); err != nil {
		t.Fatal(err)
	}
	if err := dead.Publish(ctx, []queue.Entry{{JobID: "j1"}, {JobID: "j2"}}); err != nil {
		t.Fatal(err)
	}
	if msgs, err := dead.Read(ctx, 2); err != nil || len(msgs) != 2 {
		t.Fatalf("read %v %+v", err, msgs)
	}
	if msgs, err := live.Claim(ctx, 10); err != nil || len(msgs) != 0 {
		t.Fatalf("claimed entries that are not idle yet: %v %+v", err, msgs)
	}
	time.Sleep(150 * time.Millisecond)
	msgs, err := live.Claim(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 2 || msgs[0].JobID != "j1" || msgs[0].Deliveries != 2 || msgs[1].Deliveries != 2 {
		t.Fatalf("claimed %+v", msgs)
	}
	time.Sleep(150 * time.Millisecond)
	again, err := live.Claim(ctx, 1)
	if err != nil || len(again) != 1 || again[0].Deliveries != 3 {
		t.Fatalf("claim again: %v %+v", err, again)
	}
}

func TestTouchKeepsEntryFromBeingClaimed(t *testing.T) {
	env := testenv.New(t)
	busy, other := consumer(env, "busy", time.Minute), consumer(env, "other", 150*time.Millisecond)
	if err := busy.EnsureGroup(ctx); err != nil {
		t.Fatal(err)
	}
	if err := busy.Publish(ctx, []queue.Entry{{JobID: "j1"}}); err != nil {
		t.Fatal(err)
	}
	msgs, err := busy.Read(ctx, 1)
	if err != nil || len(msgs) != 1 {
		t.Fatalf("read %v %+v", err, msgs)
	}
	for range 4 {
		time.Sleep(60 * time.Millisecond)
		if err := busy.Touch(ctx, msgs[0].ID); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := other.Claim(ctx, 10); err != nil || len(got) != 0 {
		t.Fatalf("a touched entry was claimed: %v %+v", err, got)
	}
	time.Sleep(200 * time.Millisecond)
	got, err := other.Claim(ctx, 10)
	if err != nil || len(got) != 1 || got[0].Deliveries != 2 {
		t.Fatalf("touches must not count as deliveries: %v %+v", err, got)
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
