"""Faust's aiokafka transport with a configurable consumer `fetch_max_wait_ms`.

Faust hard-codes 1500 ms, and Tansu holds a fetch until that wait expires when there is no new
data, so each idle hop of the chain would add up to ~0.75 s (measured, ARCHITECTURE.md).
"""

from typing import Any

import aiokafka
from faust.transport.drivers import aiokafka as faust_aiokafka


class _ConsumerThread(faust_aiokafka.AIOKafkaConsumerThread):
    def _create_worker_consumer(self, transport: Any) -> aiokafka.AIOKafkaConsumer:
        consumer = super()._create_worker_consumer(transport)
        # Read at Fetcher creation (consumer.start()), which comes after this.
        consumer._fetch_max_wait_ms = self.app.conf.wirestream_fetch_max_wait_ms
        return consumer


class _Consumer(faust_aiokafka.Consumer):
    def _new_consumer_thread(self) -> _ConsumerThread:
        return _ConsumerThread(self, loop=self.loop, beacon=self.beacon)


class Transport(faust_aiokafka.Transport):
    Consumer = _Consumer
