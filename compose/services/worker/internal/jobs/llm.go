package jobs

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// ChatClient calls the chat service's POST /chat (CONTRACT.md, "Chat").
type ChatClient struct {
	BaseURL string
	HTTP    *http.Client
}

// NewChatClient uses a bounded timeout so a hung chat service cannot hold a job slot forever.
func NewChatClient(baseURL string) *ChatClient {
	return &ChatClient{BaseURL: baseURL, HTTP: &http.Client{Timeout: 60 * time.Second}}
}

// LLMOutput is the llm job's output.
type LLMOutput struct {
	Text string `json:"text"`
}

type chatMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// Ask sends one user message and returns the assistant's reply.
func (c *ChatClient) Ask(ctx context.Context, prompt string) (string, error) {
	body, err := json.Marshal(map[string]any{"messages": []chatMessage{{Role: "user", Content: prompt}}})
	if err != nil {
		return "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.BaseURL+"/chat", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return "", fmt.Errorf("chat service: %w", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", fmt.Errorf("chat service: reading reply: %w", err)
	}
	if resp.StatusCode/100 != 2 {
		return "", fmt.Errorf("chat service answered %d: %.200s", resp.StatusCode, data)
	}
	var reply struct {
		Message *chatMessage `json:"message"`
	}
	if err := json.Unmarshal(data, &reply); err != nil || reply.Message == nil {
		return "", fmt.Errorf("chat service reply has no message: %.200s", data)
	}
	return reply.Message.Content, nil
}

func (r Runner) runLLM(ctx context.Context, raw []byte) (LLMOutput, error) {
	var p struct {
		Prompt *string `json:"prompt"`
	}
	if err := decodePayload(raw, &p); err != nil {
		return LLMOutput{}, err
	}
	if p.Prompt == nil {
		return LLMOutput{}, errors.New("payload.prompt is required (a string)")
	}
	if r.Chat == nil {
		return LLMOutput{}, errors.New("no chat service configured")
	}
	text, err := r.Chat.Ask(ctx, *p.Prompt)
	return LLMOutput{Text: text}, err
}
