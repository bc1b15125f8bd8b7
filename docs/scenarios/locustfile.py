"""A five-class locustfile against soak's demo service, as a Locust user
writes one: logins as user0042, stories by number (story-0042), a long
story body built with "..." * 40, and a login again when a session has
expired (401). docs/locust.md ports it to locust-port.yaml, side by side;
soak -f docs/scenarios/locustfile.py prints the skeleton soak reads from it.
"""
import random
import uuid

from locust import HttpUser, between, constant, task

TERMS = ["lighthouse", "dragon", "harbor", "clockwork", "comet"]
PARAGRAPH = "It was a quiet night at the lighthouse when the letter came. "


class AuthenticatedUser(HttpUser):
    weight = 65
    wait_time = between(1, 3)

    def on_start(self):
        self.username = "user%04d" % random.randint(1, 1000)
        self.login()

    def login(self):
        r = self.client.post("/api/auth/login",
                             json={"username": self.username, "password": "soak-demo"})
        self.client.headers["Authorization"] = "Bearer " + r.json()["token"]

    @task(6)
    def open_a_trending_story(self):
        stories = self.client.get("/api/discovery/trending").json()["stories"]
        slug = random.choice(stories)["slug"]
        self.client.get(f"/api/stories/{slug}", name="/api/stories/[slug]")

    @task(4)
    def a_story(self):
        n = random.randint(1, 5000)
        self.client.get(f"/api/stories/story-{n:04d}", name="/api/stories/[slug]")

    @task(5)
    def me(self):
        r = self.client.get("/api/users/me")
        if r.status_code == 401:  # the session expired: log in again, then retry once
            self.login()
            self.client.get("/api/users/me")

    @task(4)
    def shelves(self):
        self.client.get("/api/library/shelves")

    @task(2)
    def search(self):
        self.client.get("/api/search/stories", params={"q": random.choice(TERMS)})


class UnauthenticatedUser(HttpUser):
    weight = 25
    wait_time = between(1, 3)

    def on_start(self):
        self.ip = "198.18.%d.%d" % (random.randint(0, 255), random.randint(1, 254))
        self.client.headers["X-Forwarded-For"] = self.ip

    @task(4)
    def trending(self):
        self.client.get("/api/discovery/trending")

    @task(4)
    def a_story(self):
        self.client.get("/api/stories/story-%04d" % random.randint(1, 5000), name="/api/stories/[slug]")


class WriterUser(HttpUser):
    weight = 4
    wait_time = between(2, 5)

    def on_start(self):
        r = self.client.post("/api/auth/login", json={
            "username": "user%04d" % random.randint(1, 1000), "password": "soak-demo"})
        self.client.headers["Authorization"] = "Bearer " + r.json()["token"]

    @task(5)
    def publish(self):
        self.client.post("/api/stories", json={
            "title": f"Soak story {uuid.uuid4()}",
            "body": PARAGRAPH * 40,
            "tags": ["fantasy"],
        })

    @task(3)
    def mine(self):
        self.client.get("/api/stories/mine")


class WhisperUser(HttpUser):
    weight = 5
    wait_time = between(1, 3)

    def on_start(self):
        r = self.client.post("/api/auth/login", json={
            "username": "user%04d" % random.randint(1, 1000), "password": "soak-demo"})
        self.client.headers["Authorization"] = "Bearer " + r.json()["token"]

    @task
    def whisper(self):
        n = random.randint(1, 5000)
        self.client.post("/api/whispers", json={
            "body": "So good! " * 20,
            "story": f"story-{n:04d}",
        })


class HealthCheckUser(HttpUser):
    weight = 1
    wait_time = constant(1)

    @task(3)
    def health(self):
        self.client.get("/health")

    @task(1)
    def ready(self):
        self.client.get("/health/ready")
