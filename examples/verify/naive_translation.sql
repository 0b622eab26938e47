SELECT customer, COUNT(*) AS orders, AVG(amount) AS avg_amount, MAX(TIMESTAMPDIFF(DAY, shipped, ordered)) AS max_days FROM orders GROUP BY customer
