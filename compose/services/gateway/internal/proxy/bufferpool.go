package proxy

import "sync"

// bufferPool lends ReverseProxy its copy buffers; without one it allocates 32 KiB per request.
type bufferPool struct {
	pool sync.Pool
}

const copyBufferBytes = 32 << 10

func newBufferPool() *bufferPool {
	return &bufferPool{pool: sync.Pool{New: func() any {
		buffer := make([]byte, copyBufferBytes)
		return &buffer
	}}}
}

func (p *bufferPool) Get() []byte {
	return *p.pool.Get().(*[]byte)
}

func (p *bufferPool) Put(buffer []byte) {
	if cap(buffer) != copyBufferBytes {
		return
	}
	buffer = buffer[:copyBufferBytes]
	p.pool.Put(&buffer)
}
