SELECT customer, count(*) AS orders, avg(amount) AS avg_amount, max(datediff(shipped, ordered)) AS max_days
FROM orders GROUP BY customer
